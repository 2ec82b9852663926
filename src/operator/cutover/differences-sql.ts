import { mapSql } from '../legacy-move/mapping.js';

// The one definition of "the legacy and the new tables are equal under the mapping", rendered twice
// from the same text: over every row (legacy_chat_differences: chats:validate, and the drop's guard
// before it locks), and over the rows of some sessions and messages only (legacy_chat_differences_among:
// the drop's guard under its locks, for what changed since its first check; src/operator/cutover/guard-log-sql.ts).

const pinned = 'SET search_path = pg_catalog, pg_temp';

/** The equality of a legacy session (cs, ledger l) and its conversation (c), under the mapping. */
const sessionEqualsConversation = `(c.move_id, c.title, c.agent_mail_inbox_id, c.agent_mail_email_address, c.created_at, c.updated_at)
          IS NOT DISTINCT FROM (${mapSql.moveId('cs.move_id', 'l.assigned_move_id')}, ${mapSql.title('cs.title')},
            cs.agent_mail_inbox_id, cs.agent_mail_email_address, ${mapSql.utc('cs.created_at')}, ${mapSql.utc('cs.updated_at')})
          AND (COALESCE(l.title_was_null, false), l.assigned_move_id)
            IS NOT DISTINCT FROM (cs.title IS NULL, CASE WHEN cs.move_id IS NULL THEN l.assigned_move_id END)`;

/**
 * The equality of a legacy message (cm) and its copy (m), under the mapping. The ledger's
 * content_was_null matters only where the copy's content is the replacement (''): looked up there
 * alone, so the check joins two tables of a million rows, not three.
 */
const messageEqualsCopy = `(m.conversation_id, m.author_type, m.content, m.tool_calls, m.reasoning, m.model, m.metadata, m.created_at)
          IS NOT DISTINCT FROM (cm.session_id, ${mapSql.authorType('cm.role')}, ${mapSql.content('cm.content')},
            cm.tool_calls, cm.reasoning, cm.model, cm.metadata, ${mapSql.utc('cm.created_at')})
          AND (m.content <> ${mapSql.content('NULL')} OR COALESCE((SELECT lm.content_was_null
            FROM public.legacy_chat_moved_messages lm WHERE lm.message_id = m.id), false) = (cm.content IS NULL))`;

/**
 * Where the restricted form narrows the full one. The messages to look at are the changed ones plus,
 * for each changed session, its copies (messages.conversation_id, indexed) and its archive's messages:
 * chat_messages has no index on session_id, and an unchanged legacy message of a changed session is
 * one of those (the full check found it equal to its copy, or in its orphan's archive; a copy or an
 * archive that changed since is logged with the message's id: guard-log-sql.ts).
 */
interface Scope {
  sessions: string;
  archivedMessages: string;
  conversations: string;
  archives: string;
  messagePairs: string;
}

const everyRow: Scope = {
  sessions: '',
  archivedMessages: `public.chat_messages cm
      WHERE cm.session_id IN (SELECT x.session_id FROM public.chat_session_archive x)`,
  conversations: '',
  archives: '',
  messagePairs: 'public.chat_messages cm\n    FULL JOIN public.messages m ON m.id = cm.id',
};

const candidateMessages = `(SELECT u.id FROM pg_catalog.unnest(only_messages) AS u(id)
      UNION SELECT y.id FROM public.messages y WHERE y.conversation_id = ANY (only_sessions)
      UNION SELECT (e.value OPERATOR(pg_catalog.->>) 'id'::text)::uuid
        FROM public.chat_session_archive z, pg_catalog.jsonb_array_elements(z.messages) AS e(value)
        WHERE z.session_id = ANY (only_sessions)) k`;

const someRows: Scope = {
  sessions: '\n    WHERE cs.id = ANY (only_sessions)',
  // From the candidates, by chat_messages' primary key: chat_messages has no index on session_id.
  archivedMessages: `${candidateMessages}
      JOIN public.chat_messages cm ON cm.id = k.id
      WHERE cm.session_id IN (SELECT x.session_id FROM public.chat_session_archive x WHERE x.session_id = ANY (only_sessions))`,
  conversations: ' AND c.id = ANY (only_sessions)',
  archives: ' AND a.session_id = ANY (only_sessions)',
  messagePairs: `${candidateMessages}
    LEFT JOIN public.chat_messages cm ON cm.id = k.id
    LEFT JOIN public.messages m ON m.id = k.id
    WHERE cm.id IS NOT NULL OR m.id IS NOT NULL`,
};

function differencesBody(scope: Scope): string {
  return `  SELECT d.subject, d.id, d.problem FROM (
    SELECT 'session'::text AS subject, cs.id, CASE
        WHEN a.session_id IS NOT NULL AND (c.id IS NOT NULL OR l.session_id IS NOT NULL) THEN 'moved-and-archived'
        WHEN c.id IS NOT NULL THEN
          CASE WHEN ${sessionEqualsConversation} THEN NULL ELSE 'session-different' END
        WHEN cs.move_id IS NOT NULL OR l.session_id IS NOT NULL THEN
          CASE WHEN a.session_id IS NOT NULL THEN 'archive-different' ELSE 'session-missing' END
        WHEN a.session_id IS NOT NULL THEN
          CASE WHEN (a.session, a.messages) IS NOT DISTINCT FROM (${mapSql.archiveRow('cs')}, COALESCE(g.messages, '[]'::jsonb))
               THEN NULL ELSE 'archive-different' END
        WHEN keep_orphans THEN NULL
        ELSE 'orphan-not-archived'
      END AS problem
    FROM public.chat_sessions cs
    LEFT JOIN public.legacy_chat_moved_sessions l ON l.session_id = cs.id
    LEFT JOIN public.conversations c ON c.id = cs.id
    LEFT JOIN public.chat_session_archive a ON a.session_id = cs.id
    LEFT JOIN (
      SELECT cm.session_id, ${mapSql.archiveMessages('cm')} AS messages
      FROM ${scope.archivedMessages}
      GROUP BY cm.session_id
    ) g ON g.session_id = cs.id${scope.sessions}
    UNION ALL
    SELECT 'conversation'::text, c.id, 'conversation-without-session'::text FROM public.conversations c
    WHERE NOT EXISTS (SELECT 1 FROM public.chat_sessions cs WHERE cs.id = c.id)${scope.conversations}
    UNION ALL
    SELECT 'archive'::text, a.session_id, 'conversation-without-session'::text FROM public.chat_session_archive a
    WHERE NOT EXISTS (SELECT 1 FROM public.chat_sessions cs WHERE cs.id = a.session_id)${scope.archives}
    UNION ALL
    -- A copy's conversation is its legacy session's id (checked above), so the sessions need looking
    -- up only for the few legacy messages without a copy.
    SELECT 'message'::text, COALESCE(cm.id, m.id), CASE
        WHEN cm.id IS NULL THEN 'message-without-legacy'
        WHEN m.id IS NULL THEN CASE
          WHEN EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = cm.session_id) THEN 'message-missing'
          WHEN NOT EXISTS (SELECT 1 FROM public.chat_sessions s WHERE s.id = cm.session_id) THEN 'message-without-session'
          WHEN EXISTS (SELECT 1 FROM public.chat_sessions s WHERE s.id = cm.session_id AND s.move_id IS NOT NULL)
            THEN 'message-missing'
        END
        WHEN ${messageEqualsCopy} THEN NULL
        ELSE 'message-different'
      END
    FROM ${scope.messagePairs}
  ) d
  WHERE d.problem IS NOT NULL;`;
}

/** The restricted check as 0015 created it (that migration stays as applied; the upkeep migration replaces it). */
const appliedDifferencesAmongSql = `-- The same check over the given sessions and messages only (and what hangs on them: a session's
-- copies, archive and legacy messages): exact for those rows, found by index, so the drop's guard can
-- run it while it holds its locks over what changed since its full check.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_differences_among"(keep_orphans boolean, only_sessions uuid[], only_messages uuid[])
RETURNS TABLE (subject text, id uuid, problem text)
LANGUAGE sql STABLE ${pinned} SET jit = off AS $sync$
${differencesBody(someRows)}
$sync$;`;

/** Both functions, as the sync migration creates (or replaces) them. */
export const differencesSql = `-- The one definition of "the legacy and the new tables are equal under the mapping" (and of
-- "accounted for"): every row that breaks it, with the reason (src/operator/cutover/differences.ts names them).
-- chats:validate reports these rows; the drop's guard refuses while there is one.
-- keep_orphans: orphan sessions left in chat_sessions (chats:migrate --orphans=keep) count as accounted for.
-- jit off and work_mem 64MB: measured at 300k messages, JIT compiling this one-off query cost more than
-- running it, and the hash of the full join of messages fits in memory instead of 16 batches on disk.
-- The drop runs it before it locks, then legacy_chat_differences_among under its locks (BENCHMARKS.md).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_differences"(keep_orphans boolean)
RETURNS TABLE (subject text, id uuid, problem text)
LANGUAGE sql STABLE ${pinned} SET jit = off SET work_mem = '64MB' AS $sync$
${differencesBody(everyRow)}
$sync$;
--> statement-breakpoint
${appliedDifferencesAmongSql}`;

/**
 * The restricted check as the drop's guard calls it under its locks (guard-log-upkeep-sql.ts renders it
 * into the upkeep migration, which replaces the one above): the same text, in PL/pgSQL, so that its
 * query is planned with the keys it is given. The SQL function above is planned once for any keys: at 1M
 * messages it expected one conversation to hold 57k messages (the data's three big ones skew the column's
 * statistics), hashed chat_messages and messages whole, and took 5.4 s under the locks for 1,000 logged
 * keys (measured). Planned for the keys given, it still hashed messages whole (1.6 s): those statistics
 * again. It is only ever given what changed in the guard's window, so joins by index (nested loops) are
 * right for it: hash and merge joins are off for this function alone.
 */
export { appliedDifferencesAmongSql };

export const differencesAmongPlannedPerCallSql = `-- The restricted check (legacy_chat_differences_among), planned for the keys it is given (differences-sql.ts).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_differences_among"(keep_orphans boolean, only_sessions uuid[], only_messages uuid[])
RETURNS TABLE (subject text, id uuid, problem text)
LANGUAGE plpgsql STABLE ${pinned} SET jit = off SET enable_hashjoin = off SET enable_mergejoin = off AS $sync$
#variable_conflict use_column
BEGIN
  RETURN QUERY
${differencesBody(someRows)}
END
$sync$;`;
