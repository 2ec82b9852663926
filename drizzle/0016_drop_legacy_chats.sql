-- Hand-written guard, prepended to the generated drop (it, the sync's removal, the log's TRUNCATE and
-- the squawk-ignore comments below are the only hand edits of this file): dropping the legacy tables
-- destroys every chat they hold that the new tables do not. Refuse (RAISE rolls back the whole migration run, so plain `drizzle-kit migrate`
-- changes nothing) unless the legacy and new tables are EQUAL under the mapping:
-- conversations_cutover.legacy_chat_differences(false), created by the sync migration, is the same check
-- chats:validate runs (orphans kept by --orphans=keep are refused here: the drop would lose them).
-- That check reads every row (seconds at 1M messages), so it runs BEFORE the lock, while both apps go on
-- writing. Then the seven tables it reads are locked against writes (reads go on), and only what changed
-- since is checked again: the keys that transactions the first check did not see wrote to the guard's log
-- (src/operator/cutover/guard-log-sql.ts), through legacy_chat_differences_among, the same check over those rows.
-- When the log cannot be trusted for that window (a log trigger missing, not ENABLE ALWAYS, or altered
-- since; a TRUNCATE), the full check runs again under the lock. The DROP below takes the legacy tables'
-- ACCESS EXCLUSIVE lock only once the check has passed. Run the expand step in an earlier run (the
-- runbook does): in the same run its CREATE TRIGGERs would hold their locks through the first check.
DO $guard$
DECLARE
  since pg_catalog.pg_snapshot := pg_catalog.pg_current_snapshot();
  log_state text := "conversations_cutover"."legacy_chat_guard_log_state"();
  changed record;
  found text;
  refusal text;
BEGIN
  SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', d.n, d.problem), ', ' ORDER BY d.problem) INTO found
  FROM (SELECT x.problem, pg_catalog.count(*) AS n FROM "conversations_cutover"."legacy_chat_differences"(false) x GROUP BY x.problem) d;
  IF found IS NULL THEN
    LOCK TABLE "public"."conversations", "public"."messages", "public"."chat_sessions", "public"."chat_messages",
      "public"."legacy_chat_moved_sessions", "public"."legacy_chat_moved_messages", "public"."chat_session_archive"
      IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO changed FROM "conversations_cutover"."legacy_chat_guard_log_since"(since);
    IF log_state IS NOT NULL AND log_state = "conversations_cutover"."legacy_chat_guard_log_state"() AND changed.complete THEN
      SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', d.n, d.problem), ', ' ORDER BY d.problem) INTO found
      FROM (SELECT x.problem, pg_catalog.count(*) AS n
            FROM "conversations_cutover"."legacy_chat_differences_among"(false, changed.sessions, changed.messages) x
            GROUP BY x.problem) d;
    ELSE
      SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', d.n, d.problem), ', ' ORDER BY d.problem) INTO found
      FROM (SELECT x.problem, pg_catalog.count(*) AS n FROM "conversations_cutover"."legacy_chat_differences"(false) x GROUP BY x.problem) d;
    END IF;
  END IF;
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
-- The reverse sync triggers on conversations and messages write to the legacy tables, and the guard's log
-- triggers would log every write from now on: they go first (the forward ones go with their tables).
-- drizzle/down/0016_drop_legacy_chats.sql installs them again.
SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();--> statement-breakpoint
-- The guard's log served its one purpose; nothing writes it from here (its down installs the triggers again).
TRUNCATE "conversations_cutover"."legacy_chat_guard_log";--> statement-breakpoint
-- Accepted (squawk ban-drop-table): dropping the legacy tables is the point of this contract step; the guard above
-- refuses unless they equal the new tables, and drizzle/down/0016_drop_legacy_chats.sql refills them.
-- squawk-ignore ban-drop-table
DROP TABLE "chat_messages" CASCADE;--> statement-breakpoint
-- squawk-ignore ban-drop-table
DROP TABLE "chat_sessions" CASCADE;--> statement-breakpoint
DROP TYPE "public"."message_role";
