-- Down of 0001_conversations: drop the four new tables and the five enums.
--
-- Dropping is only lossless while every row of the new tables is a copy of legacy data that still
-- exists in chat_sessions / chat_messages (before the legacy tables are dropped). The guard below
-- counts the rows that are NOT such copies and refuses (the whole rollback rolls back) unless
-- `npm run db:rollback -- --force` set conversations_db.rollback_force.
--
-- What "came from legacy data" means, for now: the move keeps ids, so a conversation or archive
-- entry came from legacy when its id is a chat_sessions.id, a message when its id is a
-- chat_messages.id, and a participant when its conversation came from legacy.
-- Not the move's ledger: rollbacks run newest first, so the down of 0005 has dropped the ledger by the
-- time this runs, while the down of 0006 has brought the legacy tables (and their ids) back.
DO $$
DECLARE
  foreign_conversations bigint;
  foreign_messages bigint;
  foreign_participants bigint;
  foreign_archive bigint;
BEGIN
  IF coalesce(current_setting('conversations_db.rollback_force', true), '') = 'on' THEN
    RETURN;
  END IF;
  SELECT count(*) INTO foreign_conversations FROM "public"."conversations" c
    WHERE NOT EXISTS (SELECT 1 FROM "public"."chat_sessions" s WHERE s.id = c.id);
  SELECT count(*) INTO foreign_messages FROM "public"."messages" m
    WHERE NOT EXISTS (SELECT 1 FROM "public"."chat_messages" l WHERE l.id = m.id);
  SELECT count(*) INTO foreign_participants FROM "public"."conversation_participants" p
    WHERE NOT EXISTS (SELECT 1 FROM "public"."chat_sessions" s WHERE s.id = p.conversation_id);
  SELECT count(*) INTO foreign_archive FROM "public"."chat_session_archive" a
    WHERE NOT EXISTS (SELECT 1 FROM "public"."chat_sessions" s WHERE s.id = a.session_id);
  IF foreign_conversations + foreign_messages + foreign_participants + foreign_archive > 0 THEN
    RAISE EXCEPTION 'rollback of 0001_conversations refused: the new tables hold rows that did not come from legacy data and would be lost (conversations: %, messages: %, conversation_participants: %, chat_session_archive: %).',
      foreign_conversations, foreign_messages, foreign_participants, foreign_archive
      USING ERRCODE = 'CDB01',
        HINT = 'Export or move those rows first, or run npm run db:rollback -- --to <tag> --force to drop them.';
  END IF;
END
$$;
--> statement-breakpoint
-- Children before parents; each table takes its foreign keys and indexes with it.
DROP TABLE "public"."conversation_participants";
--> statement-breakpoint
DROP TABLE "public"."messages";
--> statement-breakpoint
DROP TABLE "public"."conversations";
--> statement-breakpoint
DROP TABLE "public"."chat_session_archive";
--> statement-breakpoint
-- The enums only the dropped tables used.
DROP TYPE "public"."participant_type";
--> statement-breakpoint
DROP TYPE "public"."participant_role";
--> statement-breakpoint
DROP TYPE "public"."conversation_type";
--> statement-breakpoint
DROP TYPE "public"."conversation_status";
--> statement-breakpoint
DROP TYPE "public"."author_type";
