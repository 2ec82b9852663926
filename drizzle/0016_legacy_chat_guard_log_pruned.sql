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
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_guard_log_prune"() FROM PUBLIC;
