-- Down of <n>_legacy_chat_guard_log_pruned, generated from src/operator/cutover/guard-log-upkeep-sql.ts
-- (npm run cutover:sql -- --write): the log's read and the restricted check as 0015_legacy_chat_sync_guarded
-- created them; the guard's lock and the prune go. No row changes.
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
-- The same check over the given sessions and messages only (and what hangs on them: a session's
-- copies, archive and legacy messages): exact for those rows, found by index, so the drop's guard can
-- run it while it holds its locks over what changed since its full check.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_differences_among"(keep_orphans boolean, only_sessions uuid[], only_messages uuid[])
RETURNS TABLE (subject text, id uuid, problem text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $sync$
  SELECT d.subject, d.id, d.problem FROM (
    SELECT 'session'::text AS subject, cs.id, CASE
        WHEN a.session_id IS NOT NULL AND (c.id IS NOT NULL OR l.session_id IS NOT NULL) THEN 'moved-and-archived'
        WHEN c.id IS NOT NULL THEN
          CASE WHEN (c.move_id, c.title, c.agent_mail_inbox_id, c.agent_mail_email_address, c.created_at, c.updated_at)
          IS NOT DISTINCT FROM (COALESCE(cs.move_id, l.assigned_move_id), COALESCE(cs.title, 'New Conversation'::text),
            cs.agent_mail_inbox_id, cs.agent_mail_email_address, (cs.created_at AT TIME ZONE 'UTC'::text), (cs.updated_at AT TIME ZONE 'UTC'::text))
          AND (COALESCE(l.title_was_null, false), l.assigned_move_id)
            IS NOT DISTINCT FROM (cs.title IS NULL, CASE WHEN cs.move_id IS NULL THEN l.assigned_move_id END) THEN NULL ELSE 'session-different' END
        WHEN cs.move_id IS NOT NULL OR l.session_id IS NOT NULL THEN
          CASE WHEN a.session_id IS NOT NULL THEN 'archive-different' ELSE 'session-missing' END
        WHEN a.session_id IS NOT NULL THEN
          CASE WHEN (a.session, a.messages) IS NOT DISTINCT FROM (pg_catalog.to_jsonb(cs), COALESCE(g.messages, '[]'::jsonb))
               THEN NULL ELSE 'archive-different' END
        WHEN keep_orphans THEN NULL
        ELSE 'orphan-not-archived'
      END AS problem
    FROM public.chat_sessions cs
    LEFT JOIN public.legacy_chat_moved_sessions l ON l.session_id = cs.id
    LEFT JOIN public.conversations c ON c.id = cs.id
    LEFT JOIN public.chat_session_archive a ON a.session_id = cs.id
    LEFT JOIN (
      SELECT cm.session_id, pg_catalog.jsonb_agg(pg_catalog.to_jsonb(cm) ORDER BY cm.created_at, cm.id) AS messages
      FROM (SELECT u.id FROM pg_catalog.unnest(only_messages) AS u(id)
      UNION SELECT y.id FROM public.messages y WHERE y.conversation_id = ANY (only_sessions)
      UNION SELECT (e.value OPERATOR(pg_catalog.->>) 'id'::text)::uuid
        FROM public.chat_session_archive z, pg_catalog.jsonb_array_elements(z.messages) AS e(value)
        WHERE z.session_id = ANY (only_sessions)) k
      JOIN public.chat_messages cm ON cm.id = k.id
      WHERE cm.session_id IN (SELECT x.session_id FROM public.chat_session_archive x WHERE x.session_id = ANY (only_sessions))
      GROUP BY cm.session_id
    ) g ON g.session_id = cs.id
    WHERE cs.id = ANY (only_sessions)
    UNION ALL
    SELECT 'conversation'::text, c.id, 'conversation-without-session'::text FROM public.conversations c
    WHERE NOT EXISTS (SELECT 1 FROM public.chat_sessions cs WHERE cs.id = c.id) AND c.id = ANY (only_sessions)
    UNION ALL
    SELECT 'archive'::text, a.session_id, 'conversation-without-session'::text FROM public.chat_session_archive a
    WHERE NOT EXISTS (SELECT 1 FROM public.chat_sessions cs WHERE cs.id = a.session_id) AND a.session_id = ANY (only_sessions)
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
        WHEN (m.conversation_id, m.author_type, m.content, m.tool_calls, m.reasoning, m.model, m.metadata, m.created_at)
          IS NOT DISTINCT FROM (cm.session_id, (CASE cm.role::text WHEN 'assistant'::text THEN 'ai'::text WHEN 'system'::text THEN 'system'::text ELSE 'user'::text END)::public.author_type, COALESCE(cm.content, ''::text),
            cm.tool_calls, cm.reasoning, cm.model, cm.metadata, (cm.created_at AT TIME ZONE 'UTC'::text))
          AND (m.content <> COALESCE(NULL, ''::text) OR COALESCE((SELECT lm.content_was_null
            FROM public.legacy_chat_moved_messages lm WHERE lm.message_id = m.id), false) = (cm.content IS NULL)) THEN NULL
        ELSE 'message-different'
      END
    FROM (SELECT u.id FROM pg_catalog.unnest(only_messages) AS u(id)
      UNION SELECT y.id FROM public.messages y WHERE y.conversation_id = ANY (only_sessions)
      UNION SELECT (e.value OPERATOR(pg_catalog.->>) 'id'::text)::uuid
        FROM public.chat_session_archive z, pg_catalog.jsonb_array_elements(z.messages) AS e(value)
        WHERE z.session_id = ANY (only_sessions)) k
    LEFT JOIN public.chat_messages cm ON cm.id = k.id
    LEFT JOIN public.messages m ON m.id = k.id
    WHERE cm.id IS NOT NULL OR m.id IS NOT NULL
  ) d
  WHERE d.problem IS NOT NULL;
$sync$;
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_hold"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_lock"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_prune"();
