// The guard's log (issue 11, the drop's lock time): every write to the tables that the equality of the
// two shapes depends on records, in the same transaction, the keys it touched and its transaction id.
// The drop's guard runs the full equality check first WITHOUT blocking writes, then locks and re-checks
// only the keys logged by transactions its first check did not see (legacy_chat_differences_among):
// milliseconds under the locks instead of the full check's seconds at 1M messages (BENCHMARKS.md).
//
// Statement-level triggers with transition tables: one INSERT into the log per statement, however many
// rows it wrote (the mover writes thousands per batch). ENABLE ALWAYS, so that they fire under
// session_replication_role = replica too. A TRUNCATE logs 'all'. When a log trigger is missing, not
// ENABLE ALWAYS, or was altered or re-created since the first check (its catalog row's xmin moved), or
// a TRUNCATE ran since, the guard runs the full check again under its locks: slow, still exact.

const pinned = 'SET search_path = pg_catalog, pg_temp';
const breakpoint = '\n--> statement-breakpoint\n';
/** The guard's log table (guard-log-upkeep-sql.ts reads and prunes it too). */
export const guardLogTable = 'conversations_cutover.legacy_chat_guard_log';
const log = guardLogTable;

/** Which keys a row of each table stands for: s = a legacy session / conversation id, m = a message id. */
const loggedTables = [
  ['chat_sessions', [['s', 'r.id']]],
  ['conversations', [['s', 'r.id']]],
  ['legacy_chat_moved_sessions', [['s', 'r.session_id']]],
  // An archive's messages are logged too: an unchanged legacy message of a changed orphan is found
  // through its archive (chat_messages has no index on session_id; differences-sql.ts).
  [
    'chat_session_archive',
    [
      ['s', 'r.session_id'],
      ['m', 'archived'],
    ],
  ],
  // A legacy message's session is logged too: an archived orphan's equality includes its messages.
  [
    'chat_messages',
    [
      ['m', 'r.id'],
      ['s', 'r.session_id'],
    ],
  ],
  ['messages', [['m', 'r.id']]],
  ['legacy_chat_moved_messages', [['m', 'r.message_id']]],
] as const;

/** The tables the guard locks: every table its equality check reads. */
export const guardedTables = loggedTables.map(([table]) => table);

const logTriggers = [
  ['legacy_chat_guard_log_insert', 'INSERT', 'REFERENCING NEW TABLE AS new_rows '],
  ['legacy_chat_guard_log_update', 'UPDATE', 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '],
  ['legacy_chat_guard_log_delete', 'DELETE', 'REFERENCING OLD TABLE AS old_rows '],
  ['legacy_chat_guard_log_truncate', 'TRUNCATE', ''],
] as const;

function keysOf(rows: string, keys: readonly (readonly [string, string])[]): string {
  return keys
    .map(([kind, expression]) =>
      expression === 'archived'
        ? `SELECT '${kind}'::text, (e.value OPERATOR(pg_catalog.->>) 'id'::text)::uuid FROM ${rows} r, pg_catalog.jsonb_array_elements(r.messages) AS e(value)`
        : `SELECT '${kind}'::text, ${expression} FROM ${rows} r`,
    )
    .join(' UNION ');
}

function logFunction(table: string, keys: readonly (readonly [string, string])[]): string {
  return `CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_${table}"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER ${pinned} AS $log$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO ${log} (kind) VALUES ('all');
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO ${log} (kind, id) ${keysOf('old_rows', keys)};
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO ${log} (kind, id) ${keysOf('new_rows', keys)};
  END IF;
  RETURN NULL;
END
$log$;`;
}

/** The statements of legacy_chat_sync_install that create the log's triggers. */
export const installGuardLog = loggedTables
  .flatMap(([table]) =>
    logTriggers.map(
      ([trigger, event, referencing]) =>
        `  CREATE TRIGGER "${trigger}" AFTER ${event} ON "public"."${table}"
    ${referencing}FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_${table}"();
  ALTER TABLE "public"."${table}" ENABLE ALWAYS TRIGGER "${trigger}";`,
    ),
  )
  .join('\n');

/** The statements of legacy_chat_sync_uninstall that drop them. */
export const uninstallGuardLog = loggedTables
  .map(
    ([table]) => `  IF pg_catalog.to_regclass('public.${table}') IS NOT NULL THEN
${logTriggers.map(([trigger]) => `    DROP TRIGGER IF EXISTS "${trigger}" ON "public"."${table}";`).join('\n')}
  END IF;`,
  )
  .join('\n');

export const guardLogFunctionNames = [
  ...loggedTables.map(([table]) => `legacy_chat_guard_log_${table}()`),
  'legacy_chat_guard_log_state()',
  'legacy_chat_guard_log_since(pg_snapshot)',
];

/**
 * The guard's read of its log as 0015 created it (that migration stays as applied): a SQL function, so
 * planned once without the snapshot's values; it read the whole log (a 2.7M-row scan at 1M messages,
 * under the drop's locks). guard-log-upkeep-sql.ts replaces it; its down puts this one back.
 */
export const appliedGuardLogSinceSql = `-- What transactions that the snapshot \`since\` did not see wrote: complete is false when one of them
-- truncated a table (then only the full check will do). Not seen: those still running when it was taken
-- (its xip list) and those that began after (xid >= its xmax), each found through the index; not
-- "xid >= xmin and not visible": xmin is the oldest transaction running anywhere on the server, and a
-- long one in another database made that range the whole log (6.5 s under the locks at 1M, measured).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_since"(since pg_snapshot,
  OUT complete boolean, OUT sessions uuid[], OUT messages uuid[])
LANGUAGE sql STABLE ${pinned} AS $log$
  SELECT NOT COALESCE(pg_catalog.bool_or(g.kind = 'all'), false),
         COALESCE(pg_catalog.array_agg(DISTINCT g.id) FILTER (WHERE g.kind = 's'), '{}'),
         COALESCE(pg_catalog.array_agg(DISTINCT g.id) FILTER (WHERE g.kind = 'm'), '{}')
  FROM ${log} g
  WHERE g.xid >= pg_catalog.pg_snapshot_xmax(since)
     OR g.xid IN (SELECT x FROM pg_catalog.pg_snapshot_xip(since) AS x);
$log$;`;

/** The log, its trigger functions, and the two functions the drop's guard calls. */
export const guardLogSql = [
  `-- The guard's log: one row per key a transaction wrote (kind s: a session / conversation id, m: a
-- message id, all: a TRUNCATE), with that transaction's id. Only the drop's guard reads it (by xid,
-- through the index); it goes with the conversations_cutover schema.
CREATE TABLE "conversations_cutover"."legacy_chat_guard_log" (
  "xid" xid8 DEFAULT pg_catalog.pg_current_xact_id() NOT NULL,
  "kind" text NOT NULL,
  "id" uuid
);`,
  'CREATE INDEX "legacy_chat_guard_log_xid" ON "conversations_cutover"."legacy_chat_guard_log" USING btree ("xid");',
  'REVOKE ALL ON TABLE "conversations_cutover"."legacy_chat_guard_log" FROM PUBLIC;',
  ...loggedTables.map(([table, keys]) => logFunction(table, keys)),
  `-- The log's triggers as the catalog has them (each one's oid and row version, and its function's), or
-- NULL when one is missing or not ENABLE ALWAYS: the guard compares this before its first check and
-- under its locks, and re-checks everything when it changed (a trigger disabled, even if re-enabled).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_guard_log_state"() RETURNS text
LANGUAGE sql STABLE ${pinned} AS $log$
  SELECT CASE WHEN pg_catalog.count(*) = ${loggedTables.length * logTriggers.length} AND pg_catalog.bool_and(t.tgenabled = 'A')
    THEN pg_catalog.string_agg(pg_catalog.concat_ws(':', t.oid, t.xmin, p.oid, p.xmin), ',' ORDER BY t.oid) END
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
  WHERE NOT t.tgisinternal
    AND t.tgname IN (${logTriggers.map(([trigger]) => `'${trigger}'`).join(', ')})
    AND t.tgrelid IN (${loggedTables.map(([table]) => `pg_catalog.to_regclass('public.${table}')`).join(', ')});
$log$;`,
  appliedGuardLogSinceSql,
].join(breakpoint);
