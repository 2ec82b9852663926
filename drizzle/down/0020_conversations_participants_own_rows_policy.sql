-- Down of 0020_conversations_participants_own_rows_policy: the participants' policy back to the
-- conversation set alone (0007's form). Both forms let the same rows through; only the set call for the
-- user's own rows comes back. No data changes.
ALTER POLICY "participants_select_as_participant" ON "public"."conversation_participants" TO conversations_app USING ("conversation_participants"."conversation_id" in (select conversations_security.current_user_conversation_ids()));
