import { appliedDifferencesAmongSql, differencesAmongPlannedPerCallSql } from './differences-sql.js';
import { appliedGuardLogSinceSql, guardedTables, guardLogTable } from './guard-log-sql.js';

// The guard log's upkeep (issue 11: the drop's lock time, the log's growth), rendered into
// drizzle/<n>_legacy_chat_guard_log_pruned.sql (npm run cutover:sql -- --write), a migration of the expand
// step after the sync's (whose log it reads and prunes; guard-log-sql.ts).
//
// Who needs which rows: the drop's guard reads only the rows of transactions its snapshot `since` did not
// see (its full check saw everything else). A transaction that had committed before a guard took `since`
// is one it saw; so a row that a pruning DELETE can see (one of a committed transaction) is never needed
// by a guard that takes `since` after that DELETE committed. The only guard it could hurt is one already
// running: the guard holds the log's advisory lock shared from before it takes `since` to its commit
// (legacy_chat_guard_log_hold), and the prune takes it exclusive or does nothing. A write after a prune is
// logged as before, and a log that cannot vouch for the window (legacy_chat_guard_log_state) still makes
// the guard check everything: pruning changes neither.

const pinned = 'SET search_path = pg_catalog, pg_temp';
const breakpoint = '\n--> statement-breakpoint\n';
/** The advisory lock between the drop's guard (shared) and the prune (exclusive): a two-int key, no clash with bigint ones. */
const logLock = `pg_catalog.to_regclass('${guardLogTable}')::oid::integer, 0`;

const since = `-- What transactions that the snapshot \`since\` did not see wrote: complete is false when one of them
-- truncated a table (then only the full check will do). Not seen: those still running when it was taken
-- (its xip list) and those that began after (xid >= its xmax). PL/pgSQL, so that the query is planned
-- with the snapshot's values: the SQL function of 0015 was planned without them and read the whole log
-- (a 2.7M-row scan at 1M messages, under the drop's locks); with them, the xid index finds the window.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_since"(since pg_snapshot,
  OUT complete boolean, OUT sessions uuid[], OUT messages uuid[])
LANGUAGE plpgsql STABLE ${pinned} AS $log$
DECLARE
  unseen_from xid8 := pg_catalog.pg_snapshot_xmax(since);
  running xid8[] := ARRAY(SELECT x FROM pg_catalog.pg_snapshot_xip(since) AS x);
BEGIN
  SELECT NOT COALESCE(pg_catalog.bool_or(g.kind = 'all'), false),
         COALESCE(pg_catalog.array_agg(DISTINCT g.id) FILTER (WHERE g.kind = 's'), '{}'),
         COALESCE(pg_catalog.array_agg(DISTINCT g.id) FILTER (WHERE g.kind = 'm'), '{}')
    INTO complete, sessions, messages
  FROM ${guardLogTable} g
  WHERE g.xid >= unseen_from OR g.xid = ANY (running);
END
$log$;`;

const hold = `-- The drop's guard calls this first: it waits for a prune in progress, keeps any other from starting
-- until the guard's transaction ends, and returns the snapshot the guard reads the log from (taken once
-- the lock is held, so a prune that committed before it removed only rows of transactions it sees).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_hold"() RETURNS pg_snapshot
LANGUAGE plpgsql VOLATILE ${pinned} AS $log$
BEGIN
  PERFORM pg_catalog.pg_advisory_xact_lock_shared(${logLock});
  RETURN pg_catalog.pg_current_snapshot();
END
$log$;`;

/**
 * Every table the drop locks, in the one LOCK that takes them all: the seven its check reads, the log it
 * empties, and moves (dropping chat_sessions removes its foreign key's triggers there).
 */
const droppedLocks = [
  ...guardedTables.map((table) => `"public"."${table}"`),
  '"public"."moves"',
  guardLogTable,
];
/** Each attempt waits at most this long; then it gives back what it got and tries again. */
const lockAttemptTimeout = '50ms';
const lockAttempts = 100;

const lock = `-- The drop's locks, all of them at once, ACCESS EXCLUSIVE (what dropping triggers and tables needs in the
-- end). Taken table by table, a lock the guard held while it waited for the next one deadlocked with a
-- writer that held that next one and wanted the first (a new-app INSERT into messages bumps conversations;
-- measured at 1M: "deadlock detected"), and a weaker lock upgraded later (DROP TRIGGER) deadlocked with a
-- transaction that had read and then wrote. So each attempt waits at most ${lockAttemptTimeout}, and one that
-- times out gives back every lock it got (its subtransaction) before it sleeps and tries again: a writer
-- waits for one attempt at most, never for the guard's wait. After ${lockAttempts} attempts the error goes up
-- (db:migrate then retries the run, as for any lock it cannot get). Returns the attempts it took.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_lock"() RETURNS integer
LANGUAGE plpgsql VOLATILE ${pinned} AS $log$
DECLARE
  attempt integer := 0;
  caller_timeout text := pg_catalog.current_setting('lock_timeout');
BEGIN
  LOOP
    attempt := attempt OPERATOR(pg_catalog.+) 1;
    BEGIN
      PERFORM pg_catalog.set_config('lock_timeout', '${lockAttemptTimeout}', true);
      LOCK TABLE ${droppedLocks.join(', ')} IN ACCESS EXCLUSIVE MODE;
      PERFORM pg_catalog.set_config('lock_timeout', caller_timeout, true);
      RETURN attempt;
    EXCEPTION WHEN lock_not_available THEN
      -- The subtransaction's rollback gave back the locks it got, and the caller's lock_timeout.
      IF attempt OPERATOR(pg_catalog.>=) ${lockAttempts} THEN
        RAISE;
      END IF;
    END;
    PERFORM pg_catalog.pg_sleep(0.01 OPERATOR(pg_catalog.+) pg_catalog.random() OPERATOR(pg_catalog.*) 0.04);
  END LOOP;
END
$log$;`;

const prune = `-- Removes every row of the log this transaction can see (those of committed transactions: no guard that
-- starts later needs them), unless a drop's guard is running (false: nothing removed). A DELETE, not a
-- TRUNCATE: writers go on logging meanwhile, and a reader with an older snapshot still sees what it saw.
-- chats:migrate runs it at the end of a move and chats:validate after its check (prune-guard-log.ts).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_prune"() RETURNS boolean
LANGUAGE plpgsql VOLATILE ${pinned} AS $log$
BEGIN
  IF NOT pg_catalog.pg_try_advisory_xact_lock(${logLock}) THEN
    RETURN false;
  END IF;
  DELETE FROM ${guardLogTable};
  RETURN true;
END
$log$;`;

const addedFunctions = [
  'legacy_chat_guard_log_hold()',
  'legacy_chat_guard_lock()',
  'legacy_chat_guard_log_prune()',
];
const revoke = (f: string) =>
  `REVOKE ALL ON FUNCTION "conversations_cutover".${f.replace(/^([a-z_]+)/, '"$1"')} FROM PUBLIC;`;

/** The migration, exactly as drizzle/<n>_legacy_chat_guard_log_pruned.sql holds it. */
export function renderGuardLogUpkeepMigration(): string {
  return `${[
    `-- Custom migration, generated from src/operator/cutover/guard-log-upkeep-sql.ts (npm run cutover:sql -- --write;
-- do not edit by hand): the guard's log read through its index, the lock the drop's guard holds on it,
-- its pruning, the drop's locks taken at once, and the restricted check planned per call (the expand
-- step; the drop empties the log once its guard passed).
${since}`,
    hold,
    lock,
    prune,
    differencesAmongPlannedPerCallSql,
    ...addedFunctions.map(revoke),
  ].join(breakpoint)}\n`;
}

/** Its down: the log read as 0015 created it; the two functions go. No row changes. */
export function renderGuardLogUpkeepDown(): string {
  return `${[
    `-- Down of <n>_legacy_chat_guard_log_pruned, generated from src/operator/cutover/guard-log-upkeep-sql.ts
-- (npm run cutover:sql -- --write): the log's read and the restricted check as 0015_legacy_chat_sync_guarded
-- created them; the guard's lock and the prune go. No row changes.
${appliedGuardLogSinceSql}`,
    appliedDifferencesAmongSql,
    ...addedFunctions.map((f) => `DROP FUNCTION "conversations_cutover".${f.replace(/^([a-z_]+)/, '"$1"')};`),
  ].join(breakpoint)}\n`;
}

/** The migration's file name ends so; the journal puts it before the drop. */
export const guardLogUpkeepMigrationSuffix = '_legacy_chat_guard_log_pruned.sql';
