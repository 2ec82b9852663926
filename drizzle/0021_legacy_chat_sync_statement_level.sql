-- Custom migration, generated from src/operator/cutover/statement-sync-sql.ts (npm run cutover:sql -- --write;
-- do not edit by hand): the reverse sync of messages fires once per statement instead of once per row
-- (its marker check was ~85 ms of each 5000-row batch of chats:migrate), and so do conversations' INSERT
-- and DELETE (once per session the mover writes); rows mirrored set-based.
-- Reverse sync: a new-app statement writing messages, applied to chat_messages (the fields the legacy shape holds), its rows at once.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_message"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $sync$
DECLARE
  outer_sync text := pg_catalog.current_setting('conversations_db.syncing', true);
  marker text := (SELECT k.token FROM conversations_cutover.legacy_chat_sync_key k);
BEGIN
  IF outer_sync = marker THEN
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', marker, true);
  IF TG_OP = 'DELETE' THEN
    DELETE FROM public.chat_messages cm USING old_rows o WHERE cm.id = o.id;
    DELETE FROM public.legacy_chat_moved_messages lm USING old_rows o WHERE lm.message_id = o.id;
  ELSE
    IF TG_OP = 'UPDATE' THEN
      -- A message whose id changed: the old id's legacy row and ledger row go.
      DELETE FROM public.chat_messages cm USING old_rows o
      WHERE cm.id = o.id AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id);
      DELETE FROM public.legacy_chat_moved_messages lm USING old_rows o
      WHERE lm.message_id = o.id AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id);
    END IF;
    -- The ledger says which content was NULL; nothing here changes it before the UPDATE that follows.
    INSERT INTO public.chat_messages AS cm (id, session_id, role, content, tool_calls, metadata, reasoning, model, created_at)
    SELECT n.id, n.conversation_id, (CASE n.author_type::text WHEN 'ai'::text THEN 'assistant'::text WHEN 'system'::text THEN 'system'::text ELSE 'user'::text END)::public.message_role, (CASE WHEN lm.content_was_null IS TRUE AND n.content = ''::text THEN NULL ELSE n.content END),
      n.tool_calls, n.metadata, n.reasoning, n.model, (n.created_at AT TIME ZONE 'UTC'::text)
    FROM new_rows n LEFT JOIN public.legacy_chat_moved_messages lm ON lm.message_id = n.id
    ON CONFLICT (id) DO UPDATE SET session_id = EXCLUDED.session_id, role = EXCLUDED.role, content = EXCLUDED.content, tool_calls = EXCLUDED.tool_calls, metadata = EXCLUDED.metadata, reasoning = EXCLUDED.reasoning, model = EXCLUDED.model, created_at = EXCLUDED.created_at
      WHERE (cm.session_id, cm.role, cm.content, cm.tool_calls, cm.metadata, cm.reasoning, cm.model, cm.created_at) IS DISTINCT FROM (EXCLUDED.session_id, EXCLUDED.role, EXCLUDED.content, EXCLUDED.tool_calls, EXCLUDED.metadata, EXCLUDED.reasoning, EXCLUDED.model, EXCLUDED.created_at);
    UPDATE public.legacy_chat_moved_messages lm SET content_was_null = (CASE WHEN lm.content_was_null IS TRUE AND n.content = ''::text THEN NULL ELSE n.content END) IS NULL
    FROM new_rows n
    WHERE lm.message_id = n.id AND lm.content_was_null <> ((CASE WHEN lm.content_was_null IS TRUE AND n.content = ''::text THEN NULL ELSE n.content END) IS NULL);
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', COALESCE(outer_sync, ''), true);
  RETURN NULL;
END
$sync$;
--> statement-breakpoint
-- Reverse sync: a new-app statement inserting or deleting conversations, applied to chat_sessions (the fields the legacy shape holds), its rows at once.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversations"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $sync$
DECLARE
  outer_sync text := pg_catalog.current_setting('conversations_db.syncing', true);
  marker text := (SELECT k.token FROM conversations_cutover.legacy_chat_sync_key k);
BEGIN
  IF outer_sync = marker THEN
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', marker, true);
  IF TG_OP = 'DELETE' THEN
    BEGIN
      DELETE FROM public.chat_sessions cs USING old_rows o WHERE cs.id = o.id;
    EXCEPTION WHEN foreign_key_violation THEN
      -- Legacy messages the sync did not reach (it was off): they go with their session.
      DELETE FROM public.chat_messages cm USING old_rows o WHERE cm.session_id = o.id;
      DELETE FROM public.chat_sessions cs USING old_rows o WHERE cs.id = o.id;
    END;
  ELSE
    INSERT INTO public.chat_sessions AS cs (id, move_id, title, created_at, updated_at, agent_mail_inbox_id, agent_mail_email_address)
    SELECT n.id, (CASE WHEN l.assigned_move_id = n.move_id THEN NULL ELSE n.move_id END), (CASE WHEN l.title_was_null IS TRUE AND n.title = 'New Conversation'::text THEN NULL ELSE n.title END), (n.created_at AT TIME ZONE 'UTC'::text),
      (n.updated_at AT TIME ZONE 'UTC'::text), n.agent_mail_inbox_id, n.agent_mail_email_address
    FROM new_rows n LEFT JOIN public.legacy_chat_moved_sessions l ON l.session_id = n.id
    ON CONFLICT (id) DO UPDATE SET move_id = EXCLUDED.move_id, title = EXCLUDED.title, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, agent_mail_inbox_id = EXCLUDED.agent_mail_inbox_id, agent_mail_email_address = EXCLUDED.agent_mail_email_address
      WHERE (cs.move_id, cs.title, cs.created_at, cs.updated_at, cs.agent_mail_inbox_id, cs.agent_mail_email_address) IS DISTINCT FROM (EXCLUDED.move_id, EXCLUDED.title, EXCLUDED.created_at, EXCLUDED.updated_at, EXCLUDED.agent_mail_inbox_id, EXCLUDED.agent_mail_email_address);
    UPDATE public.legacy_chat_moved_sessions l
    SET title_was_null = (CASE WHEN l.title_was_null IS TRUE AND n.title = 'New Conversation'::text THEN NULL ELSE n.title END) IS NULL, assigned_move_id = CASE WHEN (CASE WHEN l.assigned_move_id = n.move_id THEN NULL ELSE n.move_id END) IS NULL THEN l.assigned_move_id END
    FROM new_rows n
    WHERE l.session_id = n.id AND (l.title_was_null, l.assigned_move_id) IS DISTINCT FROM ((CASE WHEN l.title_was_null IS TRUE AND n.title = 'New Conversation'::text THEN NULL ELSE n.title END) IS NULL, CASE WHEN (CASE WHEN l.assigned_move_id = n.move_id THEN NULL ELSE n.move_id END) IS NULL THEN l.assigned_move_id END);
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', COALESCE(outer_sync, ''), true);
  RETURN NULL;
END
$sync$;
--> statement-breakpoint
-- Creates the sync's triggers and the guard's log triggers, as 0015's did, but messages' reverse sync
-- at statement level (its function checks the marker once per statement). The drop removes them
-- (legacy_chat_sync_uninstall) and its down file calls this again.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_install"() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $sync$
BEGIN
  CREATE TRIGGER "legacy_chat_sync_forward" AFTER INSERT OR UPDATE OR DELETE ON "public"."chat_sessions"
    FOR EACH ROW WHEN (NOT "conversations_cutover"."legacy_chat_sync_marked"())
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_forward_session"();
  CREATE TRIGGER "legacy_chat_sync_forward" AFTER INSERT OR UPDATE OR DELETE ON "public"."chat_messages"
    FOR EACH ROW WHEN (NOT "conversations_cutover"."legacy_chat_sync_marked"())
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_forward_message"();
  CREATE TRIGGER "legacy_chat_sync_reverse_update" AFTER UPDATE ON "public"."conversations"
    FOR EACH ROW WHEN ((OLD.id, OLD.move_id, OLD.title, OLD.agent_mail_inbox_id, OLD.agent_mail_email_address, OLD.created_at, OLD.updated_at)
      IS DISTINCT FROM (NEW.id, NEW.move_id, NEW.title, NEW.agent_mail_inbox_id, NEW.agent_mail_email_address, NEW.created_at, NEW.updated_at) AND NOT "conversations_cutover"."legacy_chat_sync_marked"())
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversation"();
  CREATE TRIGGER "legacy_chat_sync_reverse" AFTER INSERT ON "public"."conversations"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversations"();
  CREATE TRIGGER "legacy_chat_sync_reverse_delete" AFTER DELETE ON "public"."conversations"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversations"();
  CREATE TRIGGER "legacy_chat_sync_reverse" AFTER INSERT ON "public"."messages"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_message"();
  CREATE TRIGGER "legacy_chat_sync_reverse_update" AFTER UPDATE ON "public"."messages"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_message"();
  CREATE TRIGGER "legacy_chat_sync_reverse_delete" AFTER DELETE ON "public"."messages"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_message"();
  CREATE TRIGGER "legacy_chat_guard_log_insert" AFTER INSERT ON "public"."chat_sessions"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_sessions"();
  ALTER TABLE "public"."chat_sessions" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_insert";
  CREATE TRIGGER "legacy_chat_guard_log_update" AFTER UPDATE ON "public"."chat_sessions"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_sessions"();
  ALTER TABLE "public"."chat_sessions" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_update";
  CREATE TRIGGER "legacy_chat_guard_log_delete" AFTER DELETE ON "public"."chat_sessions"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_sessions"();
  ALTER TABLE "public"."chat_sessions" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_delete";
  CREATE TRIGGER "legacy_chat_guard_log_truncate" AFTER TRUNCATE ON "public"."chat_sessions"
    FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_sessions"();
  ALTER TABLE "public"."chat_sessions" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_truncate";
  CREATE TRIGGER "legacy_chat_guard_log_insert" AFTER INSERT ON "public"."conversations"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_conversations"();
  ALTER TABLE "public"."conversations" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_insert";
  CREATE TRIGGER "legacy_chat_guard_log_update" AFTER UPDATE ON "public"."conversations"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_conversations"();
  ALTER TABLE "public"."conversations" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_update";
  CREATE TRIGGER "legacy_chat_guard_log_delete" AFTER DELETE ON "public"."conversations"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_conversations"();
  ALTER TABLE "public"."conversations" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_delete";
  CREATE TRIGGER "legacy_chat_guard_log_truncate" AFTER TRUNCATE ON "public"."conversations"
    FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_conversations"();
  ALTER TABLE "public"."conversations" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_truncate";
  CREATE TRIGGER "legacy_chat_guard_log_insert" AFTER INSERT ON "public"."legacy_chat_moved_sessions"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_sessions"();
  ALTER TABLE "public"."legacy_chat_moved_sessions" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_insert";
  CREATE TRIGGER "legacy_chat_guard_log_update" AFTER UPDATE ON "public"."legacy_chat_moved_sessions"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_sessions"();
  ALTER TABLE "public"."legacy_chat_moved_sessions" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_update";
  CREATE TRIGGER "legacy_chat_guard_log_delete" AFTER DELETE ON "public"."legacy_chat_moved_sessions"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_sessions"();
  ALTER TABLE "public"."legacy_chat_moved_sessions" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_delete";
  CREATE TRIGGER "legacy_chat_guard_log_truncate" AFTER TRUNCATE ON "public"."legacy_chat_moved_sessions"
    FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_sessions"();
  ALTER TABLE "public"."legacy_chat_moved_sessions" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_truncate";
  CREATE TRIGGER "legacy_chat_guard_log_insert" AFTER INSERT ON "public"."chat_session_archive"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_session_archive"();
  ALTER TABLE "public"."chat_session_archive" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_insert";
  CREATE TRIGGER "legacy_chat_guard_log_update" AFTER UPDATE ON "public"."chat_session_archive"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_session_archive"();
  ALTER TABLE "public"."chat_session_archive" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_update";
  CREATE TRIGGER "legacy_chat_guard_log_delete" AFTER DELETE ON "public"."chat_session_archive"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_session_archive"();
  ALTER TABLE "public"."chat_session_archive" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_delete";
  CREATE TRIGGER "legacy_chat_guard_log_truncate" AFTER TRUNCATE ON "public"."chat_session_archive"
    FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_session_archive"();
  ALTER TABLE "public"."chat_session_archive" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_truncate";
  CREATE TRIGGER "legacy_chat_guard_log_insert" AFTER INSERT ON "public"."chat_messages"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_messages"();
  ALTER TABLE "public"."chat_messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_insert";
  CREATE TRIGGER "legacy_chat_guard_log_update" AFTER UPDATE ON "public"."chat_messages"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_messages"();
  ALTER TABLE "public"."chat_messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_update";
  CREATE TRIGGER "legacy_chat_guard_log_delete" AFTER DELETE ON "public"."chat_messages"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_messages"();
  ALTER TABLE "public"."chat_messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_delete";
  CREATE TRIGGER "legacy_chat_guard_log_truncate" AFTER TRUNCATE ON "public"."chat_messages"
    FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_chat_messages"();
  ALTER TABLE "public"."chat_messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_truncate";
  CREATE TRIGGER "legacy_chat_guard_log_insert" AFTER INSERT ON "public"."messages"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_messages"();
  ALTER TABLE "public"."messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_insert";
  CREATE TRIGGER "legacy_chat_guard_log_update" AFTER UPDATE ON "public"."messages"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_messages"();
  ALTER TABLE "public"."messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_update";
  CREATE TRIGGER "legacy_chat_guard_log_delete" AFTER DELETE ON "public"."messages"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_messages"();
  ALTER TABLE "public"."messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_delete";
  CREATE TRIGGER "legacy_chat_guard_log_truncate" AFTER TRUNCATE ON "public"."messages"
    FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_messages"();
  ALTER TABLE "public"."messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_truncate";
  CREATE TRIGGER "legacy_chat_guard_log_insert" AFTER INSERT ON "public"."legacy_chat_moved_messages"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_messages"();
  ALTER TABLE "public"."legacy_chat_moved_messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_insert";
  CREATE TRIGGER "legacy_chat_guard_log_update" AFTER UPDATE ON "public"."legacy_chat_moved_messages"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_messages"();
  ALTER TABLE "public"."legacy_chat_moved_messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_update";
  CREATE TRIGGER "legacy_chat_guard_log_delete" AFTER DELETE ON "public"."legacy_chat_moved_messages"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_messages"();
  ALTER TABLE "public"."legacy_chat_moved_messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_delete";
  CREATE TRIGGER "legacy_chat_guard_log_truncate" AFTER TRUNCATE ON "public"."legacy_chat_moved_messages"
    FOR EACH STATEMENT EXECUTE FUNCTION "conversations_cutover"."legacy_chat_guard_log_legacy_chat_moved_messages"();
  ALTER TABLE "public"."legacy_chat_moved_messages" ENABLE ALWAYS TRIGGER "legacy_chat_guard_log_truncate";
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
  IF pg_catalog.to_regclass('public.conversations') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_reverse_delete" ON "public"."conversations";
  END IF;
  IF pg_catalog.to_regclass('public.conversations') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_reverse_update" ON "public"."conversations";
  END IF;
  IF pg_catalog.to_regclass('public.messages') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_reverse" ON "public"."messages";
  END IF;
  IF pg_catalog.to_regclass('public.messages') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_reverse_update" ON "public"."messages";
  END IF;
  IF pg_catalog.to_regclass('public.messages') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_reverse_delete" ON "public"."messages";
  END IF;
  IF pg_catalog.to_regclass('public.chat_sessions') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_insert" ON "public"."chat_sessions";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_update" ON "public"."chat_sessions";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_delete" ON "public"."chat_sessions";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_truncate" ON "public"."chat_sessions";
  END IF;
  IF pg_catalog.to_regclass('public.conversations') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_insert" ON "public"."conversations";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_update" ON "public"."conversations";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_delete" ON "public"."conversations";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_truncate" ON "public"."conversations";
  END IF;
  IF pg_catalog.to_regclass('public.legacy_chat_moved_sessions') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_insert" ON "public"."legacy_chat_moved_sessions";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_update" ON "public"."legacy_chat_moved_sessions";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_delete" ON "public"."legacy_chat_moved_sessions";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_truncate" ON "public"."legacy_chat_moved_sessions";
  END IF;
  IF pg_catalog.to_regclass('public.chat_session_archive') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_insert" ON "public"."chat_session_archive";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_update" ON "public"."chat_session_archive";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_delete" ON "public"."chat_session_archive";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_truncate" ON "public"."chat_session_archive";
  END IF;
  IF pg_catalog.to_regclass('public.chat_messages') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_insert" ON "public"."chat_messages";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_update" ON "public"."chat_messages";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_delete" ON "public"."chat_messages";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_truncate" ON "public"."chat_messages";
  END IF;
  IF pg_catalog.to_regclass('public.messages') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_insert" ON "public"."messages";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_update" ON "public"."messages";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_delete" ON "public"."messages";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_truncate" ON "public"."messages";
  END IF;
  IF pg_catalog.to_regclass('public.legacy_chat_moved_messages') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_insert" ON "public"."legacy_chat_moved_messages";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_update" ON "public"."legacy_chat_moved_messages";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_delete" ON "public"."legacy_chat_moved_messages";
    DROP TRIGGER IF EXISTS "legacy_chat_guard_log_truncate" ON "public"."legacy_chat_moved_messages";
  END IF;
END
$sync$;
--> statement-breakpoint
SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();
--> statement-breakpoint
SELECT "conversations_cutover"."legacy_chat_sync_install"();
