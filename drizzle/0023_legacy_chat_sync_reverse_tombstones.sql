-- Custom migration, generated from src/operator/cutover/statement-sync-sql.ts (npm run cutover:sql -- --write;
-- do not edit by hand): a message the new app deletes leaves its ledger row in legacy_chat_moved_messages
-- as a tombstone, as an old-app delete does, so a chats:migrate batch that read its legacy message before
-- the delete does not put the copy back.
-- Reverse sync: a new-app statement writing messages, applied to chat_messages (the fields the legacy shape holds), its rows at once; a deleted message leaves its ledger row as a tombstone.
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
    -- The ledger row stays, or is written, as a tombstone (as for an old-app delete): a chats:migrate
    -- batch that read the legacy message before this delete and inserts its copy now meets that row
    -- (the copy it would meet in messages is gone), so it reads again and no longer sees the message.
    INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null)
    SELECT o.id, false FROM old_rows o
    ON CONFLICT (message_id) DO NOTHING;
  ELSE
    IF TG_OP = 'UPDATE' THEN
      -- A message whose id changed: the old id's legacy row goes, its ledger row stays as a tombstone.
      DELETE FROM public.chat_messages cm USING old_rows o
      WHERE cm.id = o.id AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id);
      INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null)
      SELECT o.id, false FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id)
      ON CONFLICT (message_id) DO NOTHING;
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
