-- Down of 0010_legacy_chat_sync: stop syncing the legacy and the new tables (the triggers go), drop the
-- sync's functions and the equality check, and give conversations.updated_at the stamp of 0002 back.
-- No row changes: both shapes keep what they hold, and from now on drift apart with every write.
SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_uninstall"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_install"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_differences"(boolean);
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_message"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversation"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_forward_message"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_forward_session"();
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_archive_message"(uuid, uuid, jsonb);
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_move_messages_of"(uuid);
--> statement-breakpoint
DROP FUNCTION "conversations_cutover"."legacy_chat_sync_drop_copy"(uuid);
--> statement-breakpoint
DROP SCHEMA "conversations_cutover";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "public"."conversations_touch_updated_at"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;
