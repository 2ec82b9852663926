-- Down of 0007_conversations_hashed_policies: the policies go back to the per-row checks of 0004,
-- which call the functions in public that the down of 0008 restores first (db:rollback reverses
-- newest first). No data changes.
ALTER POLICY "conversations_select_as_participant" ON "public"."conversations" TO conversations_app USING (public.conversations_user_is_participant("conversations"."id"));
--> statement-breakpoint
ALTER POLICY "messages_select_as_participant" ON "public"."messages" TO conversations_app USING (public.conversations_user_is_participant("messages"."conversation_id"));
--> statement-breakpoint
ALTER POLICY "messages_insert_as_self" ON "public"."messages" TO conversations_app WITH CHECK ("messages"."author_id" = public.conversations_current_user_id() and "messages"."author_type" = 'user' and public.conversations_user_can_post("messages"."conversation_id"));
--> statement-breakpoint
ALTER POLICY "participants_select_as_participant" ON "public"."conversation_participants" TO conversations_app USING (public.conversations_user_is_participant("conversation_participants"."conversation_id"));
--> statement-breakpoint
ALTER POLICY "participants_update_own_row" ON "public"."conversation_participants" TO conversations_app USING ("conversation_participants"."user_id" = public.conversations_current_user_id()) WITH CHECK ("conversation_participants"."user_id" = public.conversations_current_user_id());
