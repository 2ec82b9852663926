-- Down of 0011_conversations_last_message_at: drop the activity column. Nothing is lost that the
-- messages do not hold: it is the newest message's created_at, recomputed by 0012 when reapplied.
-- Reverse 0012 first (db:rollback does, newest first): its triggers write this column.
ALTER TABLE "conversations" DROP COLUMN "last_message_at";
