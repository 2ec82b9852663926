-- Down of <n>_legacy_chat_guard_log_pruned, generated from src/operator/cutover/guard-log-upkeep-sql.ts
-- (npm run cutover:sql -- --write): the log's read as 0015_legacy_chat_sync_guarded created it, the
-- guard's lock and the prune go. No row changes.
-- What transactions that the snapshot `since` did not see wrote: complete is false when one of them
-- truncated a table (then only the full check will do). Not seen: those still running when it was taken
-- (its xip list) and those that began after (xid >= its xmax), each found through the index; not
-- "xid >= xmin and not visible": xmin is the oldest transaction running anywhere on the server, and a
-- long one in another database made that range the whole log (6.5 s under the locks at 1M, measured).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_since"(since pg_snapshot,
  OUT complete boolean, OUT sessions uuid[], OUT messages uuid[])
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $log$
  SELECT NOT COALESCE(pg_catalog.bool_or(g.kind = 'all'), false),
         COALESCE(pg_catalog.array_agg(DISTINCT g.id) FILTER (WHERE g.kind = 's'), '{}'),
         COALESCE(pg_catalog.array_agg(DISTINCT g.id) FILTER (WHERE g.kind = 'm'), '{}')
  FROM conversations_cutover.legacy_chat_guard_log g
  WHERE g.xid >= pg_catalog.pg_snapshot_xmax(since)
     OR g.xid IN (SELECT x FROM pg_catalog.pg_snapshot_xip(since) AS x);
$log$;
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_hold"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_lock"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_prune"();
