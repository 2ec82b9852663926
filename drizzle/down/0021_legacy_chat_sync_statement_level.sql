-- Down of <n>_legacy_chat_sync_statement_level, generated from src/operator/cutover/statement-sync-sql.ts
-- (npm run cutover:sql -- --write): messages' and conversations' reverse sync per row again, as 0015_legacy_chat_sync_guarded
-- created it. No row changes.
SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();
--> statement-breakpoint
-- Reverse sync: a new-app write of messages, applied to chat_messages (the fields the legacy shape holds).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_message"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $sync$
DECLARE
  outer_sync text := pg_catalog.current_setting('conversations_db.syncing', true);
  marker text := (SELECT k.token FROM conversations_cutover.legacy_chat_sync_key k);
  was_null boolean;
  legacy_content text;
BEGIN
  IF outer_sync = marker THEN
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config('conversations_db.syncing', marker, true);
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
-- Creates the sync's triggers and the guard's log triggers; the drop removes them
-- (legacy_chat_sync_uninstall) and its down file calls this again, so undoing the drop brings the sync
-- back with the tables. The WHEN clause skips writes made by the other direction (or by the mover)
-- before any function is called or event queued.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_install"() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $sync$
BEGIN
  CREATE TRIGGER "legacy_chat_sync_forward" AFTER INSERT OR UPDATE OR DELETE ON "public"."chat_sessions"
    FOR EACH ROW WHEN (NOT "conversations_cutover"."legacy_chat_sync_marked"())
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_forward_session"();
  CREATE TRIGGER "legacy_chat_sync_forward" AFTER INSERT OR UPDATE OR DELETE ON "public"."chat_messages"
    FOR EACH ROW WHEN (NOT "conversations_cutover"."legacy_chat_sync_marked"())
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_forward_message"();
  CREATE TRIGGER "legacy_chat_sync_reverse" AFTER INSERT OR DELETE ON "public"."conversations"
    FOR EACH ROW WHEN (NOT "conversations_cutover"."legacy_chat_sync_marked"())
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversation"();
  CREATE TRIGGER "legacy_chat_sync_reverse_update" AFTER UPDATE ON "public"."conversations"
    FOR EACH ROW WHEN ((OLD.id, OLD.move_id, OLD.title, OLD.agent_mail_inbox_id, OLD.agent_mail_email_address, OLD.created_at, OLD.updated_at)
      IS DISTINCT FROM (NEW.id, NEW.move_id, NEW.title, NEW.agent_mail_inbox_id, NEW.agent_mail_email_address, NEW.created_at, NEW.updated_at) AND NOT "conversations_cutover"."legacy_chat_sync_marked"())
    EXECUTE FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversation"();
  CREATE TRIGGER "legacy_chat_sync_reverse" AFTER INSERT OR UPDATE OR DELETE ON "public"."messages"
    FOR EACH ROW WHEN (NOT "conversations_cutover"."legacy_chat_sync_marked"())
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
    DROP TRIGGER IF EXISTS "legacy_chat_sync_reverse_update" ON "public"."conversations";
  END IF;
  IF pg_catalog.to_regclass('public.messages') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "legacy_chat_sync_reverse" ON "public"."messages";
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
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversations"();
--> statement-breakpoint
SELECT "conversations_cutover"."legacy_chat_sync_install"();
