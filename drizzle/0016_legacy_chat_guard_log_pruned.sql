-- Custom migration, generated from src/operator/cutover/guard-log-upkeep-sql.ts (npm run cutover:sql -- --write;
-- do not edit by hand): the guard's log read through its index, the lock the drop's guard holds on it,
-- its pruning, the drop's locks taken at once, and the restricted check planned per call (the expand
-- step; the drop empties the log once its guard passed).
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
-- The restricted check (legacy_chat_differences_among), planned for the keys it is given (differences-sql.ts).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_differences_among"(keep_orphans boolean, only_sessions uuid[], only_messages uuid[])
RETURNS TABLE (subject text, id uuid, problem text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off SET enable_hashjoin = off SET enable_mergejoin = off AS $sync$
#variable_conflict use_column
BEGIN
  RETURN QUERY
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
END
$sync$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_guard_log_hold"() FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_guard_lock"() FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_guard_log_prune"() FROM PUBLIC;
