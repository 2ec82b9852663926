-- Custom migration, generated from src/operator/cutover/guard-log-upkeep-sql.ts (npm run cutover:sql -- --write;
-- do not edit by hand): the guard's log read through its index, the lock the drop's guard holds on it,
-- and its pruning (the expand step; the drop empties the log once its guard passed).
-- What transactions that the snapshot `since` did not see wrote: complete is false when one of them
-- truncated a table (then only the full check will do). Not seen: those still running when it was taken
-- (its xip list) and those that began after (xid >= its xmax). PL/pgSQL, so that the query is planned
-- with the snapshot's values: the SQL function of 0015 was planned without them and read the whole log
-- (a 2.7M-row scan at 1M messages, under the drop's locks); with them, the xid index finds the window.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_since"(since pg_snapshot,
  OUT complete boolean, OUT sessions uuid[], OUT messages uuid[])
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $log$
DECLARE
  unseen_from xid8 := pg_catalog.pg_snapshot_xmax(since);
  running xid8[] := ARRAY(SELECT x FROM pg_catalog.pg_snapshot_xip(since) AS x);
BEGIN
  SELECT NOT COALESCE(pg_catalog.bool_or(g.kind = 'all'), false),
         COALESCE(pg_catalog.array_agg(DISTINCT g.id) FILTER (WHERE g.kind = 's'), '{}'),
         COALESCE(pg_catalog.array_agg(DISTINCT g.id) FILTER (WHERE g.kind = 'm'), '{}')
    INTO complete, sessions, messages
  FROM conversations_cutover.legacy_chat_guard_log g
  WHERE g.xid >= unseen_from OR g.xid = ANY (running);
END
$log$;
--> statement-breakpoint
-- The drop's guard calls this first: it waits for a prune in progress, keeps any other from starting
-- until the guard's transaction ends, and returns the snapshot the guard reads the log from (taken once
-- the lock is held, so a prune that committed before it removed only rows of transactions it sees).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_hold"() RETURNS pg_snapshot
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $log$
BEGIN
  PERFORM pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.to_regclass('conversations_cutover.legacy_chat_guard_log')::oid::integer, 0);
  RETURN pg_catalog.pg_current_snapshot();
END
$log$;
--> statement-breakpoint
-- The drop's locks, all of them at once, ACCESS EXCLUSIVE (what dropping triggers and tables needs in the
-- end). Taken table by table, a lock the guard held while it waited for the next one deadlocked with a
-- writer that held that next one and wanted the first (a new-app INSERT into messages bumps conversations;
-- measured at 1M: "deadlock detected"), and a weaker lock upgraded later (DROP TRIGGER) deadlocked with a
-- transaction that had read and then wrote. So each attempt waits at most 50ms, and one that
-- times out gives back every lock it got (its subtransaction) before it sleeps and tries again: a writer
-- waits for one attempt at most, never for the guard's wait. After 100 attempts the error goes up
-- (db:migrate then retries the run, as for any lock it cannot get). Returns the attempts it took.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_lock"() RETURNS integer
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $log$
DECLARE
  attempt integer := 0;
  caller_timeout text := pg_catalog.current_setting('lock_timeout');
BEGIN
  LOOP
    attempt := attempt OPERATOR(pg_catalog.+) 1;
    BEGIN
      PERFORM pg_catalog.set_config('lock_timeout', '50ms', true);
      LOCK TABLE "public"."chat_sessions", "public"."conversations", "public"."legacy_chat_moved_sessions", "public"."chat_session_archive", "public"."chat_messages", "public"."messages", "public"."legacy_chat_moved_messages", "public"."moves", conversations_cutover.legacy_chat_guard_log IN ACCESS EXCLUSIVE MODE;
      PERFORM pg_catalog.set_config('lock_timeout', caller_timeout, true);
      RETURN attempt;
    EXCEPTION WHEN lock_not_available THEN
      -- The subtransaction's rollback gave back the locks it got, and the caller's lock_timeout.
      IF attempt OPERATOR(pg_catalog.>=) 100 THEN
        RAISE;
      END IF;
    END;
    PERFORM pg_catalog.pg_sleep(0.01 OPERATOR(pg_catalog.+) pg_catalog.random() OPERATOR(pg_catalog.*) 0.04);
  END LOOP;
END
$log$;
--> statement-breakpoint
-- Removes every row of the log this transaction can see (those of committed transactions: no guard that
-- starts later needs them), unless a drop's guard is running (false: nothing removed). A DELETE, not a
-- TRUNCATE: writers go on logging meanwhile, and a reader with an older snapshot still sees what it saw.
-- chats:migrate runs it at the end of a move and chats:validate after its check (prune-guard-log.ts).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_prune"() RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $log$
BEGIN
  IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.to_regclass('conversations_cutover.legacy_chat_guard_log')::oid::integer, 0) THEN
    RETURN false;
  END IF;
  DELETE FROM conversations_cutover.legacy_chat_guard_log;
  RETURN true;
END
$log$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_guard_log_hold"() FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_guard_lock"() FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_guard_log_prune"() FROM PUBLIC;
