import { sql } from 'drizzle-orm';

// The mapping legacy -> new (seed 000 Step 3) and its reverse, in one place, as SQL text. The mover
// (backfill), the validator, the plan and the rollback inline these expressions into their set-based
// statements (sql.raw), and src/operator/cutover/sync-sql.ts renders them into the migration that creates the
// sync triggers and the equality check the gate and the drop's guard share; test/cutover-sql.test.ts
// keeps that migration equal to what this file generates. Plain expressions rather than SQL
// functions: inlined, they cost the mover nothing per row, and the planner still sees every column.
// Every name is schema-qualified, so the text means the same inside the sync's functions (search_path
// pinned to pg_catalog, pg_temp) and in the mover's session, whatever a hostile role put in public.
// Everything the mapping replaces is recorded in the ledger, so it can be reversed.

/** What a NULL chat_sessions.title becomes (the conversations.title default of seed 000). */
export const nullTitleReplacement = 'New Conversation';

/**
 * What a NULL chat_messages.content becomes: the empty string. messages.content is NOT NULL; '' says
 * "there was no text" without inventing any, and the ledger's content_was_null keeps the NULL for the
 * reverse. New messages are validated by the app's zod schema; legacy rows are moved as they are.
 */
export const nullContentReplacement = '';

/** Legacy message_role -> author_type. A bijection, so it needs no ledger. */
export const roleToAuthorType = { user: 'user', assistant: 'ai', system: 'system' } as const;

/** SQL text of the mapping. Arguments are SQL expressions (usually a column of an alias). */
export const mapSql = {
  /** message_role -> author_type. */
  authorType: (role: string) =>
    `(CASE ${role}::text WHEN 'assistant'::text THEN 'ai'::text WHEN 'system'::text THEN 'system'::text ELSE 'user'::text END)::public.author_type`,
  /** author_type -> message_role (the reverse of the bijection). */
  legacyRole: (author: string) =>
    `(CASE ${author}::text WHEN 'ai'::text THEN 'assistant'::text WHEN 'system'::text THEN 'system'::text ELSE 'user'::text END)::public.message_role`,
  /** A legacy timestamp (no zone, written in UTC) -> timestamptz, whatever the session's TimeZone. */
  utc: (column: string) => `(${column} AT TIME ZONE 'UTC'::text)`,
  /** timestamptz -> the legacy timestamp in UTC (the reverse of utc). */
  legacyTimestamp: (column: string) => `(${column} AT TIME ZONE 'UTC'::text)`,
  /** chat_sessions.title -> conversations.title. */
  title: (title: string) => `COALESCE(${title}, ${literal(nullTitleReplacement)})`,
  /** conversations.title -> chat_sessions.title: NULL again when the ledger says it was NULL and it still reads so. */
  legacyTitle: (title: string, titleWasNull: string) =>
    `(CASE WHEN ${titleWasNull} IS TRUE AND ${title} = ${literal(nullTitleReplacement)} THEN NULL ELSE ${title} END)`,
  /** chat_sessions.move_id (+ the ledger's assigned move) -> conversations.move_id. */
  moveId: (moveId: string, assignedMoveId: string) => `COALESCE(${moveId}, ${assignedMoveId})`,
  /** conversations.move_id -> chat_sessions.move_id: NULL again while it is the move --orphans=assign attached. */
  legacyMoveId: (moveId: string, assignedMoveId: string) =>
    `(CASE WHEN ${assignedMoveId} = ${moveId} THEN NULL ELSE ${moveId} END)`,
  /** chat_messages.content -> messages.content. */
  content: (content: string) => `COALESCE(${content}, ${literal(nullContentReplacement)})`,
  /** messages.content -> chat_messages.content: NULL again when the ledger says it was NULL and it is still empty. */
  legacyContent: (content: string, contentWasNull: string) =>
    `(CASE WHEN ${contentWasNull} IS TRUE AND ${content} = ${literal(nullContentReplacement)} THEN NULL ELSE ${content} END)`,
  /** The archive's image of a legacy row (the session, or one message), as jsonb. */
  archiveRow: (alias: string) => `pg_catalog.to_jsonb(${alias})`,
  /** The archive's image of a session's messages: a jsonb array ordered by (created_at, id). */
  archiveMessages: (alias: string) =>
    `pg_catalog.jsonb_agg(pg_catalog.to_jsonb(${alias}) ORDER BY ${alias}.created_at, ${alias}.id)`,
} as const;

/**
 * The employee owner of each move, as the move infers it: moves -> employees -> users, emails compared
 * trimmed and case-insensitively. `matches` is how many users share the employee's email; `user_id`
 * is set only when exactly one does (none or two: no owner). Columns: move_id, employee_id, matches,
 * user_id, exact. `moveFilter` is a condition on moves aliased m.
 */
export function inferredOwnersSql(moveFilter: string): string {
  const normalized = (email: string) => `pg_catalog.lower(pg_catalog.btrim(${email}, E' \\t\\r\\n'))`;
  return `(
    SELECT m.id AS move_id, m.employee_id, pg_catalog.count(u.id)::int AS matches,
           CASE WHEN pg_catalog.count(u.id) = 1 THEN pg_catalog.min(u.id) END AS user_id,
           pg_catalog.bool_or(u.email = e.email) AS exact
    FROM public.moves m
    JOIN public.employees e ON e.id = m.employee_id
    LEFT JOIN public.users u ON ${normalized('u.email')} = ${normalized('e.email')}
    WHERE ${moveFilter}
    GROUP BY m.id, m.employee_id
  )`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'::text`;
}

/** The mapping as drizzle SQL, for statements built with drizzle's sql template. */
export const authorTypeOfRole = (role: string) => sql.raw(mapSql.authorType(role));

/** Legacy timestamps carry no zone; they were written in UTC, and are read as UTC whatever the session's TimeZone. */
export const asUtc = (column: string) => sql.raw(mapSql.utc(column));

/** Why an orphan session (no move) went to chat_session_archive. */
export const orphanArchiveReason =
  'no move: chat_sessions.move_id was NULL (chats:migrate --orphans=archive)';

/** The advisory lock key every mover and rollback takes: one of them at a time per database. */
export const moverLockName = 'conversations-db:legacy-chat-move';
