-- Hand-written guard, prepended to the generated drop (it, the sync's removal, the log's TRUNCATE and
-- the squawk-ignore comments below are the only hand edits of this file): dropping the legacy tables
-- destroys every chat they hold that the new tables do not. Refuse (RAISE rolls back the whole migration run, so plain `drizzle-kit migrate`
-- changes nothing) unless the legacy and new tables are EQUAL under the mapping:
-- conversations_cutover.legacy_chat_differences(false), created by the sync migration, is the same check
-- chats:validate runs (orphans kept by --orphans=keep are refused here: the drop would lose them).
-- That check reads every row (seconds at 1M messages), so it runs BEFORE the lock, while both apps go on
-- writing. Then the seven tables it reads (and moves and the log, which the statements below need) are
-- locked ACCESS EXCLUSIVE, all at once, and only what changed since is checked again: the keys that transactions the first check did not see wrote to the guard's log
-- (src/operator/cutover/guard-log-sql.ts), through legacy_chat_differences_among, the same check over those rows.
-- When the log cannot be trusted for that window (a log trigger missing, not ENABLE ALWAYS, or altered
-- since; a TRUNCATE), the full check runs again under the lock. Run the expand step in an earlier run (the
-- runbook does): in the same run its CREATE TRIGGERs would hold their locks through the first check.
DO $guard$
DECLARE
  -- First the log's lock (shared): a prune in progress ends first, none starts until this commits, so the
  -- log keeps every row of a transaction this snapshot does not see (guard-log-upkeep-sql.ts).
  since pg_catalog.pg_snapshot := "conversations_cutover"."legacy_chat_guard_log_hold"();
  log_state text := "conversations_cutover"."legacy_chat_guard_log_state"();
  changed_complete boolean;
  changed_sessions uuid[];
  changed_messages uuid[];
  scope text := 'full';
  locked boolean := false;
  found text;
  kept bigint;
  without_session bigint;
  others bigint;
  policy text;
  advice text;
  refusal text;
BEGIN
  -- The hint says what to run, as src/operator/cutover/difference-advice.ts says it for chats:validate and
  -- db:status (test/difference-advice.test.ts holds the two together): orphans kept by --orphans keep
  -- need another policy (chats:migrate again with keep changes nothing); a message without its session
  -- needs a hand fix; anything else, chats:migrate.
  -- The first pass is the full check, unlocked; once it passes, the tables are locked and
  -- the second pass checks again, only the logged keys when the log is trustworthy for the window, else
  -- everything. One query serves every pass: the WHERE on scope gates which check runs (a one-time filter).
  LOOP
    WITH d AS (
      SELECT x.problem, pg_catalog.count(*) AS n
      FROM (
        SELECT f.problem FROM "conversations_cutover"."legacy_chat_differences"(false) f
        WHERE scope OPERATOR(pg_catalog.=) 'full'
        UNION ALL
        SELECT a.problem FROM "conversations_cutover"."legacy_chat_differences_among"(false, changed_sessions, changed_messages) a
        WHERE scope OPERATOR(pg_catalog.=) 'among'
      ) x GROUP BY x.problem
    )
    SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', d.n, d.problem), ', ' ORDER BY d.problem),
      COALESCE(pg_catalog.max(d.n) FILTER (WHERE d.problem OPERATOR(pg_catalog.=) 'orphan-not-archived'), 0),
      COALESCE(pg_catalog.max(d.n) FILTER (WHERE d.problem OPERATOR(pg_catalog.=) 'message-without-session'), 0),
      COALESCE(pg_catalog.sum(d.n) FILTER (WHERE d.problem OPERATOR(pg_catalog.<>) 'message-without-session'), 0)::bigint
    INTO found, kept, without_session, others FROM d;
    EXIT WHEN found IS NOT NULL OR locked;
    -- Every lock this migration needs, at once, in short attempts that give back what they got: no deadlock
    -- with a writer, no lock upgraded later (guard-log-upkeep-sql.ts).
    PERFORM "conversations_cutover"."legacy_chat_guard_lock"();
    locked := true;
    SELECT g.complete, g.sessions, g.messages INTO changed_complete, changed_sessions, changed_messages
    FROM "conversations_cutover"."legacy_chat_guard_log_since"(since) g;
    IF log_state IS NOT NULL AND log_state OPERATOR(pg_catalog.=) "conversations_cutover"."legacy_chat_guard_log_state"()
      AND changed_complete THEN
      scope := 'among';
    ELSE
      scope := 'full';
    END IF;
  END LOOP;
  IF found IS NOT NULL THEN
    SELECT c.orphan_policy::text INTO policy FROM "public"."legacy_chat_cutover" c;
    IF policy IS NULL OR NOT policy OPERATOR(pg_catalog.=) 'keep' THEN
      kept := 0;
    END IF;
    advice := CASE
      WHEN kept OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('%s kept by `chats:migrate --orphans keep` would be lost by the drop: '
        'archive %s with `npm run chats:migrate -- --orphans archive` (or attach %s to a move with `--orphans assign '
        '--move-id <uuid>`), which moves anything else missing too.',
        CASE WHEN kept OPERATOR(pg_catalog.=) 1 THEN '1 orphan session' ELSE pg_catalog.format('%s orphan sessions', kept) END,
        CASE WHEN kept OPERATOR(pg_catalog.=) 1 THEN 'it' ELSE 'them' END,
        CASE WHEN kept OPERATOR(pg_catalog.=) 1 THEN 'it' ELSE 'them' END)
      WHEN others OPERATOR(pg_catalog.>) 0 THEN
        'Run `npm run chats:migrate` to move what is missing, then `npm run chats:validate` to see any row left.'
      ELSE ''
    END;
    IF without_session OPERATOR(pg_catalog.>) 0 THEN
      advice := pg_catalog.ltrim(pg_catalog.format('%s %s no session (written with the foreign key bypassed), which '
        'no command can place: restore each session or delete each message (`npm run chats:plan` lists them).', advice,
        CASE WHEN without_session OPERATOR(pg_catalog.=) 1 THEN '1 legacy message has' ELSE pg_catalog.format('%s legacy messages have', without_session) END));
    END IF;
    advice := pg_catalog.format('%s Then run the migration again.', advice);
    refusal := pg_catalog.format('Refusing to drop chat_sessions and chat_messages: the legacy and new tables are not '
      'equal under the mapping (%s), and the drop would lose what differs. Nothing was changed.', found);
    -- drizzle-kit 0.31 prints notices but not the error that fails a migration (drizzle-orm#5816):
    -- say it as a WARNING too, so plain `drizzle-kit migrate` shows why it stopped (its message, then
    -- its hint, are the lines after the WARNING's severity and code).
    RAISE WARNING '%', refusal USING HINT = advice;
    RAISE EXCEPTION '%', refusal USING HINT = advice;
  END IF;
END
$guard$;--> statement-breakpoint
-- The reverse sync triggers on conversations and messages write to the legacy tables, and the guard's log
-- triggers would log every write from now on: they go first (the forward ones go with their tables).
-- drizzle/down/0024_drop_legacy_chats.sql installs them again.
SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();--> statement-breakpoint
-- The guard's log served its one purpose; nothing writes it from here (its down installs the triggers again).
TRUNCATE "conversations_cutover"."legacy_chat_guard_log";--> statement-breakpoint
-- Accepted (squawk ban-drop-table): dropping the legacy tables is the point of this contract step; the guard above
-- refuses unless they equal the new tables, and drizzle/down/0024_drop_legacy_chats.sql refills them.
-- squawk-ignore ban-drop-table
DROP TABLE "chat_messages" CASCADE;--> statement-breakpoint
-- squawk-ignore ban-drop-table
DROP TABLE "chat_sessions" CASCADE;--> statement-breakpoint
DROP TYPE "public"."message_role";
