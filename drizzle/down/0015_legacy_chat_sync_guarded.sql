-- Down of <n>_legacy_chat_sync_guarded, generated from drizzle/<n>_legacy_chat_sync.sql by
-- src/operator/cutover/sync-sql.ts (npm run cutover:sql -- --write): the sync's and the guard log's triggers go,
-- the functions come back exactly as the applied sync migration created them, the marker and the log go,
-- and that migration's sync is installed again. No row of the two shapes changes.
SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();
--> statement-breakpoint
-- The move's copy of a legacy session goes (its messages, participants and ledger rows with it).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_drop_copy"(target_session uuid) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $sync$
  DELETE FROM public.legacy_chat_moved_messages lm USING public.messages m
  WHERE m.id = lm.message_id AND m.conversation_id = target_session;
  DELETE FROM public.conversations c WHERE c.id = target_session;
$sync$;
--> statement-breakpoint
-- Every legacy message of a session that just became a conversation, moved as the mover moves them.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_move_messages_of"(target_session uuid) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $sync$
  INSERT INTO public.messages AS m (id, conversation_id, author_id, author_type, content, tool_calls, reasoning, model, metadata, created_at)
  SELECT cm.id, cm.session_id, NULL, (CASE cm.role::text WHEN 'assistant'::text THEN 'ai'::text WHEN 'system'::text THEN 'system'::text ELSE 'user'::text END)::public.author_type, COALESCE(cm.content, ''::text),
      cm.tool_calls, cm.reasoning, cm.model, cm.metadata, (cm.created_at AT TIME ZONE 'UTC'::text)
  FROM public.chat_messages cm WHERE cm.session_id = target_session
  ON CONFLICT (id) DO UPDATE SET conversation_id = EXCLUDED.conversation_id, author_type = EXCLUDED.author_type, content = EXCLUDED.content, tool_calls = EXCLUDED.tool_calls, reasoning = EXCLUDED.reasoning, model = EXCLUDED.model, metadata = EXCLUDED.metadata, created_at = EXCLUDED.created_at
      WHERE (m.conversation_id, m.author_type, m.content, m.tool_calls, m.reasoning, m.model, m.metadata, m.created_at) IS DISTINCT FROM (EXCLUDED.conversation_id, EXCLUDED.author_type, EXCLUDED.content, EXCLUDED.tool_calls, EXCLUDED.reasoning, EXCLUDED.model, EXCLUDED.metadata, EXCLUDED.created_at);
  INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null)
  SELECT cm.id, cm.content IS NULL FROM public.chat_messages cm WHERE cm.session_id = target_session
  ON CONFLICT (message_id) DO UPDATE SET content_was_null = EXCLUDED.content_was_null
      WHERE (lm.content_was_null) IS DISTINCT FROM (EXCLUDED.content_was_null);
$sync$;
--> statement-breakpoint
-- An archived orphan's message changed: rewrite the archive's array without scanning chat_messages.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_archive_message"(target_session uuid, target_message uuid, image jsonb) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $sync$
  UPDATE public.chat_session_archive a SET messages = (
    SELECT COALESCE(pg_catalog.jsonb_agg(x.e ORDER BY
             (pg_catalog.jsonb_populate_record(NULL::public.chat_messages, x.e)).created_at,
             (pg_catalog.jsonb_populate_record(NULL::public.chat_messages, x.e)).id), '[]'::jsonb)
    FROM (SELECT e.value FROM pg_catalog.jsonb_array_elements(a.messages) AS e(value)
          WHERE (e.value OPERATOR(pg_catalog.->>) 'id'::text) IS DISTINCT FROM target_message::text
          UNION ALL SELECT image WHERE image IS NOT NULL) AS x(e))
  WHERE a.session_id = target_session;
$sync$;
--> statement-breakpoint
-- Forward sync: an old-app write of chat_sessions, applied to the new tables under the mapping (as chats:migrate would).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_forward_session"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $sync$
DECLARE
  outer_sync text := pg_catalog.current_setting('conversations_db.syncing', true);
  policy public.legacy_chat_cutover%ROWTYPE;
  ledger public.legacy_chat_moved_sessions%ROWTYPE;
  target_move uuid;
  owner text;
  had_copy boolean;
BEGIN
  IF outer_sync = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', 'on', true);
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
    PERFORM conversations_cutover.legacy_chat_sync_drop_copy(OLD.id);
    DELETE FROM public.chat_session_archive a WHERE a.session_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT * INTO policy FROM public.legacy_chat_cutover;
    SELECT * INTO ledger FROM public.legacy_chat_moved_sessions l WHERE l.session_id = NEW.id;
    had_copy := EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = NEW.id);
    target_move := COALESCE(COALESCE(NEW.move_id, ledger.assigned_move_id),
      CASE WHEN policy.orphan_policy = 'assign' THEN policy.assign_move_id END);
    IF target_move IS NULL THEN
      -- An orphan: its moved copy goes (as the mover's convergence does); the archive follows the
      -- policy chats:migrate recorded (none recorded yet: the session waits for chats:migrate).
      IF had_copy THEN
        PERFORM conversations_cutover.legacy_chat_sync_drop_copy(NEW.id);
      END IF;
      IF EXISTS (SELECT 1 FROM public.chat_session_archive a WHERE a.session_id = NEW.id) AND NOT had_copy THEN
        UPDATE public.chat_session_archive a SET session = pg_catalog.to_jsonb(NEW) WHERE a.session_id = NEW.id;
      ELSIF policy.orphan_policy = 'archive' THEN
        INSERT INTO public.chat_session_archive AS a (session_id, session, messages, reason)
        SELECT NEW.id, pg_catalog.to_jsonb(NEW),
               COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(cm) ORDER BY cm.created_at, cm.id) FROM public.chat_messages cm
                         WHERE TG_OP = 'UPDATE' AND cm.session_id = NEW.id), '[]'::jsonb),
               'no move: chat_sessions.move_id was NULL (chats:migrate --orphans=archive)'
        ON CONFLICT (session_id) DO UPDATE SET session = EXCLUDED.session, messages = EXCLUDED.messages, reason = EXCLUDED.reason
      WHERE (a.session, a.messages, a.reason) IS DISTINCT FROM (EXCLUDED.session, EXCLUDED.messages, EXCLUDED.reason);
      END IF;
    ELSE
      DELETE FROM public.chat_session_archive a WHERE a.session_id = NEW.id;
      INSERT INTO public.conversations AS c (id, move_id, title, type, status, created_by, agent_mail_inbox_id, agent_mail_email_address, created_at, updated_at)
      VALUES (NEW.id, target_move, COALESCE(NEW.title, 'New Conversation'::text), 'general', 'active', NULL,
        NEW.agent_mail_inbox_id, NEW.agent_mail_email_address, (NEW.created_at AT TIME ZONE 'UTC'::text), (NEW.updated_at AT TIME ZONE 'UTC'::text))
      ON CONFLICT (id) DO UPDATE SET move_id = EXCLUDED.move_id, title = EXCLUDED.title, agent_mail_inbox_id = EXCLUDED.agent_mail_inbox_id, agent_mail_email_address = EXCLUDED.agent_mail_email_address, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
      WHERE (c.move_id, c.title, c.agent_mail_inbox_id, c.agent_mail_email_address, c.created_at, c.updated_at) IS DISTINCT FROM (EXCLUDED.move_id, EXCLUDED.title, EXCLUDED.agent_mail_inbox_id, EXCLUDED.agent_mail_email_address, EXCLUDED.created_at, EXCLUDED.updated_at);
      -- A conversation the new app created (a copy without a ledger row) stays the new app's, unless the
      -- old app sets its title to NULL: only the ledger can remember that, so the move adopts it.
      IF ledger.session_id IS NOT NULL OR NOT had_copy OR NEW.title IS NULL THEN
        SELECT o.user_id INTO owner FROM (
    SELECT m.id AS move_id, m.employee_id, pg_catalog.count(u.id)::int AS matches,
           CASE WHEN pg_catalog.count(u.id) = 1 THEN pg_catalog.min(u.id) END AS user_id,
           pg_catalog.bool_or(u.email = e.email) AS exact
    FROM public.moves m
    JOIN public.employees e ON e.id = m.employee_id
    LEFT JOIN public.users u ON pg_catalog.lower(pg_catalog.btrim(u.email, E' \t\r\n')) = pg_catalog.lower(pg_catalog.btrim(e.email, E' \t\r\n'))
    WHERE m.id = target_move
    GROUP BY m.id, m.employee_id
  ) o;
        IF ledger.owner_user_id IS DISTINCT FROM owner THEN
          DELETE FROM public.conversation_participants p
          WHERE p.conversation_id = NEW.id AND p.user_id = ledger.owner_user_id
            AND p.participant_type = 'employee' AND p.role = 'owner';
        END IF;
        INSERT INTO public.legacy_chat_moved_sessions AS l (session_id, title_was_null, assigned_move_id, owner_user_id)
        VALUES (NEW.id, NEW.title IS NULL, CASE WHEN NEW.move_id IS NULL THEN target_move END, owner)
        ON CONFLICT (session_id) DO UPDATE SET title_was_null = EXCLUDED.title_was_null, assigned_move_id = EXCLUDED.assigned_move_id, owner_user_id = EXCLUDED.owner_user_id
      WHERE (l.title_was_null, l.assigned_move_id, l.owner_user_id) IS DISTINCT FROM (EXCLUDED.title_was_null, EXCLUDED.assigned_move_id, EXCLUDED.owner_user_id);
        INSERT INTO public.conversation_participants (conversation_id, user_id, participant_type, role)
        VALUES (NEW.id, NULL, 'ai', 'participant')
        ON CONFLICT (conversation_id, participant_type) WHERE user_id IS NULL DO NOTHING;
        IF owner IS NOT NULL THEN
          INSERT INTO public.conversation_participants (conversation_id, user_id, participant_type, role)
          VALUES (NEW.id, owner, 'employee', 'owner')
          ON CONFLICT (conversation_id, user_id) DO NOTHING;
        END IF;
      END IF;
      -- A session that just became a conversation (it was an orphan): its messages follow.
      IF TG_OP = 'UPDATE' AND NOT had_copy THEN
        PERFORM conversations_cutover.legacy_chat_sync_move_messages_of(NEW.id);
      END IF;
    END IF;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', COALESCE(outer_sync, ''), true);
  RETURN NULL;
END
$sync$;
--> statement-breakpoint
-- Forward sync: an old-app write of chat_messages, applied to messages and the ledger under the mapping.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_forward_message"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $sync$
DECLARE
  outer_sync text := pg_catalog.current_setting('conversations_db.syncing', true);
  born_new boolean;
BEGIN
  IF outer_sync = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', 'on', true);
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.id <> NEW.id OR OLD.session_id <> NEW.session_id)) THEN
    -- The ledger row stays, or is written, as a tombstone: a chats:migrate batch that read this message
    -- before the delete and is copying it now conflicts on that row (REPEATABLE READ: it runs again and
    -- no longer sees the message); this insert waits for a batch that wrote it first, so the DELETE
    -- below then sees and removes that batch's copy. chats:migrate clears ledger rows without a message.
    INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null) VALUES (OLD.id, false)
    ON CONFLICT (message_id) DO NOTHING;
    DELETE FROM public.messages m WHERE m.id = OLD.id;
    PERFORM conversations_cutover.legacy_chat_sync_archive_message(OLD.session_id, OLD.id, NULL);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = NEW.session_id) THEN
      -- A message the new app wrote (a copy without a ledger row) stays the new app's.
      born_new := TG_OP = 'UPDATE'
        AND EXISTS (SELECT 1 FROM public.messages m WHERE m.id = NEW.id)
        AND NOT EXISTS (SELECT 1 FROM public.legacy_chat_moved_messages lm WHERE lm.message_id = NEW.id);
      INSERT INTO public.messages AS m (id, conversation_id, author_id, author_type, content, tool_calls, reasoning, model, metadata, created_at)
      VALUES (NEW.id, NEW.session_id, NULL, (CASE NEW.role::text WHEN 'assistant'::text THEN 'ai'::text WHEN 'system'::text THEN 'system'::text ELSE 'user'::text END)::public.author_type, COALESCE(NEW.content, ''::text),
      NEW.tool_calls, NEW.reasoning, NEW.model, NEW.metadata, (NEW.created_at AT TIME ZONE 'UTC'::text))
      ON CONFLICT (id) DO UPDATE SET conversation_id = EXCLUDED.conversation_id, author_type = EXCLUDED.author_type, content = EXCLUDED.content, tool_calls = EXCLUDED.tool_calls, reasoning = EXCLUDED.reasoning, model = EXCLUDED.model, metadata = EXCLUDED.metadata, created_at = EXCLUDED.created_at
      WHERE (m.conversation_id, m.author_type, m.content, m.tool_calls, m.reasoning, m.model, m.metadata, m.created_at) IS DISTINCT FROM (EXCLUDED.conversation_id, EXCLUDED.author_type, EXCLUDED.content, EXCLUDED.tool_calls, EXCLUDED.reasoning, EXCLUDED.model, EXCLUDED.metadata, EXCLUDED.created_at);
      IF NOT born_new OR NEW.content IS NULL THEN
        INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null)
        VALUES (NEW.id, NEW.content IS NULL)
        ON CONFLICT (message_id) DO UPDATE SET content_was_null = EXCLUDED.content_was_null
      WHERE (lm.content_was_null) IS DISTINCT FROM (EXCLUDED.content_was_null);
      END IF;
    ELSE
      PERFORM conversations_cutover.legacy_chat_sync_archive_message(NEW.session_id, NEW.id, pg_catalog.to_jsonb(NEW));
    END IF;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', COALESCE(outer_sync, ''), true);
  RETURN NULL;
END
$sync$;
--> statement-breakpoint
-- Reverse sync: a new-app write of conversations, applied to chat_sessions (the fields the legacy shape holds).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversation"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $sync$
DECLARE
  outer_sync text := pg_catalog.current_setting('conversations_db.syncing', true);
  ledger public.legacy_chat_moved_sessions%ROWTYPE;
  legacy_move uuid;
  legacy_title text;
BEGIN
  IF outer_sync = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', 'on', true);
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
    BEGIN
      DELETE FROM public.chat_sessions cs WHERE cs.id = OLD.id;
    EXCEPTION WHEN foreign_key_violation THEN
      -- Legacy messages the sync did not reach (it was off): they go with their session.
      DELETE FROM public.chat_messages cm WHERE cm.session_id = OLD.id;
      DELETE FROM public.chat_sessions cs WHERE cs.id = OLD.id;
    END;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT * INTO ledger FROM public.legacy_chat_moved_sessions l WHERE l.session_id = NEW.id;
    legacy_move := (CASE WHEN ledger.assigned_move_id = NEW.move_id THEN NULL ELSE NEW.move_id END);
    legacy_title := (CASE WHEN ledger.title_was_null IS TRUE AND NEW.title = 'New Conversation'::text THEN NULL ELSE NEW.title END);
    INSERT INTO public.chat_sessions AS cs (id, move_id, title, created_at, updated_at, agent_mail_inbox_id, agent_mail_email_address)
    VALUES (NEW.id, legacy_move, legacy_title, (NEW.created_at AT TIME ZONE 'UTC'::text),
      (NEW.updated_at AT TIME ZONE 'UTC'::text), NEW.agent_mail_inbox_id, NEW.agent_mail_email_address)
    ON CONFLICT (id) DO UPDATE SET move_id = EXCLUDED.move_id, title = EXCLUDED.title, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, agent_mail_inbox_id = EXCLUDED.agent_mail_inbox_id, agent_mail_email_address = EXCLUDED.agent_mail_email_address
      WHERE (cs.move_id, cs.title, cs.created_at, cs.updated_at, cs.agent_mail_inbox_id, cs.agent_mail_email_address) IS DISTINCT FROM (EXCLUDED.move_id, EXCLUDED.title, EXCLUDED.created_at, EXCLUDED.updated_at, EXCLUDED.agent_mail_inbox_id, EXCLUDED.agent_mail_email_address);
    IF ledger.session_id IS NOT NULL THEN
      UPDATE public.legacy_chat_moved_sessions l
      SET title_was_null = legacy_title IS NULL, assigned_move_id = CASE WHEN legacy_move IS NULL THEN l.assigned_move_id END
      WHERE l.session_id = NEW.id
        AND (l.title_was_null, l.assigned_move_id)
            IS DISTINCT FROM (legacy_title IS NULL, CASE WHEN legacy_move IS NULL THEN l.assigned_move_id END);
    END IF;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', COALESCE(outer_sync, ''), true);
  RETURN NULL;
END
$sync$;
--> statement-breakpoint
-- Reverse sync: a new-app write of messages, applied to chat_messages (the fields the legacy shape holds).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_message"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $sync$
DECLARE
  outer_sync text := pg_catalog.current_setting('conversations_db.syncing', true);
  was_null boolean;
  legacy_content text;
BEGIN
  IF outer_sync = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', 'on', true);
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
    DELETE FROM public.chat_messages cm WHERE cm.id = OLD.id;
    DELETE FROM public.legacy_chat_moved_messages lm WHERE lm.message_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT lm.content_was_null INTO was_null FROM public.legacy_chat_moved_messages lm WHERE lm.message_id = NEW.id;
    legacy_content := (CASE WHEN was_null IS TRUE AND NEW.content = ''::text THEN NULL ELSE NEW.content END);
    INSERT INTO public.chat_messages AS cm (id, session_id, role, content, tool_calls, metadata, reasoning, model, created_at)
    VALUES (NEW.id, NEW.conversation_id, (CASE NEW.author_type::text WHEN 'ai'::text THEN 'assistant'::text WHEN 'system'::text THEN 'system'::text ELSE 'user'::text END)::public.message_role, legacy_content,
      NEW.tool_calls, NEW.metadata, NEW.reasoning, NEW.model, (NEW.created_at AT TIME ZONE 'UTC'::text))
    ON CONFLICT (id) DO UPDATE SET session_id = EXCLUDED.session_id, role = EXCLUDED.role, content = EXCLUDED.content, tool_calls = EXCLUDED.tool_calls, metadata = EXCLUDED.metadata, reasoning = EXCLUDED.reasoning, model = EXCLUDED.model, created_at = EXCLUDED.created_at
      WHERE (cm.session_id, cm.role, cm.content, cm.tool_calls, cm.metadata, cm.reasoning, cm.model, cm.created_at) IS DISTINCT FROM (EXCLUDED.session_id, EXCLUDED.role, EXCLUDED.content, EXCLUDED.tool_calls, EXCLUDED.metadata, EXCLUDED.reasoning, EXCLUDED.model, EXCLUDED.created_at);
    IF was_null IS NOT NULL AND was_null <> (legacy_content IS NULL) THEN
      UPDATE public.legacy_chat_moved_messages lm SET content_was_null = legacy_content IS NULL
      WHERE lm.message_id = NEW.id;
    END IF;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', COALESCE(outer_sync, ''), true);
  RETURN NULL;
END
$sync$;
--> statement-breakpoint
-- The one definition of "the legacy and the new tables are equal under the mapping" (and of
-- "accounted for"): every row that breaks it, with the reason (src/cutover/differences.ts names them).
-- chats:validate reports these rows; the drop's guard refuses while there is one.
-- keep_orphans: orphan sessions left in chat_sessions (chats:migrate --orphans=keep) count as accounted for.
-- jit off and work_mem 64MB: measured at 300k messages, JIT compiling this one-off query cost more than
-- running it, and the hash of the full join of messages fits in memory instead of 16 batches on disk.
-- The drop runs it while it holds its locks (BENCHMARKS.md, "The cutover sync", has the time at 1M).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_differences"(keep_orphans boolean)
RETURNS TABLE (subject text, id uuid, problem text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off SET work_mem = '64MB' AS $sync$
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
      FROM public.chat_messages cm
      WHERE cm.session_id IN (SELECT x.session_id FROM public.chat_session_archive x)
      GROUP BY cm.session_id
    ) g ON g.session_id = cs.id
    UNION ALL
    SELECT 'conversation'::text, c.id, 'conversation-without-session'::text FROM public.conversations c
    WHERE NOT EXISTS (SELECT 1 FROM public.chat_sessions cs WHERE cs.id = c.id)
    UNION ALL
    SELECT 'archive'::text, a.session_id, 'conversation-without-session'::text FROM public.chat_session_archive a
    WHERE NOT EXISTS (SELECT 1 FROM public.chat_sessions cs WHERE cs.id = a.session_id)
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
    FROM public.chat_messages cm
    FULL JOIN public.messages m ON m.id = cm.id
  ) d
  WHERE d.problem IS NOT NULL;
$sync$;
--> statement-breakpoint
-- Creates the four sync triggers; the drop removes them (legacy_chat_sync_uninstall) and its down
-- file calls this again, so undoing the drop brings the sync back with the tables. The WHEN clause skips
-- writes made by the other direction (or by the mover) before any function is called or event queued.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_install"() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $sync$
BEGIN
  CREATE TRIGGER "legacy_chat_sync_forward" AFTER INSERT OR UPDATE OR DELETE ON "public"."chat_sessions"
    FOR EACH ROW WHEN (pg_catalog.current_setting('conversations_db.syncing', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_forward_session"();
  CREATE TRIGGER "legacy_chat_sync_forward" AFTER INSERT OR UPDATE OR DELETE ON "public"."chat_messages"
    FOR EACH ROW WHEN (pg_catalog.current_setting('conversations_db.syncing', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_forward_message"();
  CREATE TRIGGER "legacy_chat_sync_reverse" AFTER INSERT OR UPDATE OR DELETE ON "public"."conversations"
    FOR EACH ROW WHEN (pg_catalog.current_setting('conversations_db.syncing', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversation"();
  CREATE TRIGGER "legacy_chat_sync_reverse" AFTER INSERT OR UPDATE OR DELETE ON "public"."messages"
    FOR EACH ROW WHEN (pg_catalog.current_setting('conversations_db.syncing', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_message"();
END
$sync$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_uninstall"() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $sync$
BEGIN
  IF pg_catalog.to_regclass('public.chat_sessions') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_forward" ON "public"."chat_sessions";
  END IF;
  IF pg_catalog.to_regclass('public.chat_messages') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_forward" ON "public"."chat_messages";
  END IF;
  IF pg_catalog.to_regclass('public.conversations') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_reverse" ON "public"."conversations";
  END IF;
  IF pg_catalog.to_regclass('public.messages') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_reverse" ON "public"."messages";
  END IF;
END
$sync$;
--> statement-breakpoint
-- The sync copies each legacy session's own updated_at, as the mover does: while it writes, the
-- stamp of 0002 keeps the value it was given.
CREATE OR REPLACE FUNCTION "public"."conversations_touch_updated_at"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
     AND pg_catalog.current_setting('conversations_db.syncing', true) IS DISTINCT FROM 'on' THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_sync_drop_copy"(uuid) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_sync_move_messages_of"(uuid) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_sync_archive_message"(uuid, uuid, jsonb) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_differences"(boolean) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_sync_install"() FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_cutover"."legacy_chat_sync_uninstall"() FROM PUBLIC;
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_differences_among"(boolean, uuid[], uuid[]);
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_marked"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_mark"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_sessions"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_conversations"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_sessions"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_session_archive"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_messages"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_messages"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_messages"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_state"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_guard_log_since"(pg_snapshot);
--> statement-breakpoint
DROP TABLE "conversations_cutover"."legacy_chat_guard_log";
--> statement-breakpoint
DROP TABLE "conversations_cutover"."legacy_chat_sync_key";
--> statement-breakpoint
SELECT "conversations_cutover"."legacy_chat_sync_install"();
