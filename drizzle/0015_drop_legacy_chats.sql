-- Hand-written guard, prepended to the generated drop (it, the sync's removal and the squawk-ignore comments
-- below are the only hand edits of this file): dropping the legacy tables destroys every chat they hold that
-- the new tables do not. Lock all four tables against writes (reads go on while the check runs), so that
-- neither app can change a row between the check and the drop; then refuse (RAISE rolls back the whole
-- migration run, so plain `drizzle-kit migrate` changes nothing) unless the legacy and new tables are EQUAL
-- under the mapping: conversations_cutover.legacy_chat_differences(false), created by the sync migration, is the same check
-- chats:validate runs (orphans kept by --orphans=keep are refused here: the drop would lose them). The DROP
-- below takes the legacy tables' ACCESS EXCLUSIVE lock only once the check has passed.
LOCK TABLE "conversations", "messages", "chat_sessions", "chat_messages" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
DO $guard$
DECLARE
  found text;
  refusal text;
BEGIN
  SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', d.n, d.problem), ', ' ORDER BY d.problem) INTO found
  FROM (SELECT x.problem, pg_catalog.count(*) AS n FROM "conversations_cutover"."legacy_chat_differences"(false) x GROUP BY x.problem) d;
  IF found IS NOT NULL THEN
    refusal := pg_catalog.format('Refusing to drop chat_sessions and chat_messages: the legacy and new tables are not '
      'equal under the mapping (%s). Run `npm run chats:migrate` to move what is missing, then `npm run '
      'chats:validate` to see any row left, then migrate again. Nothing was changed.', found);
    -- drizzle-kit 0.31 prints notices but not the error that fails a migration (drizzle-orm#5816):
    -- say it as a WARNING too, so plain `drizzle-kit migrate` shows why it stopped.
    RAISE WARNING '%', refusal;
    RAISE EXCEPTION '%', refusal;
  END IF;
END
$guard$;--> statement-breakpoint
-- The reverse sync triggers on conversations and messages write to the legacy tables: they go first (the
-- forward ones go with their tables). drizzle/down/0015_drop_legacy_chats.sql installs them again.
SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();--> statement-breakpoint
-- Accepted (squawk ban-drop-table): dropping the legacy tables is the point of this contract step; the guard above
-- refuses unless they equal the new tables, and drizzle/down/0015_drop_legacy_chats.sql refills them.
-- squawk-ignore ban-drop-table
DROP TABLE "chat_messages" CASCADE;--> statement-breakpoint
-- squawk-ignore ban-drop-table
DROP TABLE "chat_sessions" CASCADE;--> statement-breakpoint
DROP TYPE "public"."message_role";
