-- Down of 0017_conversations_participants_user_index: drop the covering index; the policies' sets go
-- back to idx_participants_user_id and a heap visit per participant row. Nothing is lost.
DROP INDEX "public"."idx_participants_user_conversation_role";
