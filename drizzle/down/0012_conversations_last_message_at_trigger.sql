-- Down of 0012_conversations_last_message_at_trigger: the messages triggers and their functions go,
-- and 0002's trigger gets back its definition without the WHEN clause. No data changes:
-- last_message_at keeps its values until the down of 0011 drops the column.
DROP TRIGGER "messages_bump_last_message_at" ON "public"."messages";
--> statement-breakpoint
DROP TRIGGER "messages_recompute_last_message_at_on_update" ON "public"."messages";
--> statement-breakpoint
DROP TRIGGER "messages_recompute_last_message_at_on_delete" ON "public"."messages";
--> statement-breakpoint
DROP FUNCTION "conversations_security"."messages_bump_last_message_at"();
--> statement-breakpoint
DROP FUNCTION "conversations_security"."messages_recompute_last_message_at"();
--> statement-breakpoint
DROP TRIGGER "conversations_touch_updated_at" ON "public"."conversations";
--> statement-breakpoint
CREATE TRIGGER "conversations_touch_updated_at"
BEFORE UPDATE ON "public"."conversations"
FOR EACH ROW EXECUTE FUNCTION "public"."conversations_touch_updated_at"();
