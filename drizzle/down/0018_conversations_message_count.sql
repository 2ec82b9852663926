-- Down of 0018_conversations_message_count: drop the count. Nothing is lost that the messages do not
-- hold: it is their number per conversation, recomputed by 0019 when reapplied. Reverse 0019 first
-- (db:rollback does, newest first): its triggers write this column.
ALTER TABLE "conversations" DROP COLUMN "message_count";
