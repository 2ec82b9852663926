-- Down of 0002_conversations_updated_at_trigger: remove the trigger that keeps conversations.updated_at
-- current, then its function. No data changes: updated_at keeps the values it has; afterwards only
-- updates sent through drizzle ($onUpdate) refresh it.
DROP TRIGGER "conversations_touch_updated_at" ON "public"."conversations";
--> statement-breakpoint
DROP FUNCTION "public"."conversations_touch_updated_at"();
