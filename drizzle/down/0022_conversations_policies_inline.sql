-- Down of 0022_conversations_policies_inline: the conversations' and messages' SELECT policies back to the
-- conversation set function (0007's form). Both forms let the same rows through; only the set call comes
-- back. No data changes.
ALTER POLICY "conversations_select_as_participant" ON "public"."conversations" TO conversations_app USING ("conversations"."id" in (select conversations_security.current_user_conversation_ids()));
--> statement-breakpoint
ALTER POLICY "messages_select_as_participant" ON "public"."messages" TO conversations_app USING ("messages"."conversation_id" in (select conversations_security.current_user_conversation_ids()));
