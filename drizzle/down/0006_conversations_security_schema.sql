-- Down of 0006_conversations_security_schema: drop the trigger, the policy helper functions and
-- their schema. The policies of 0007 call these functions, so 0007 must be reversed first (db:rollback
-- reverses newest first). No data changes.
DROP TRIGGER "messages_server_owned_columns" ON "public"."messages";
--> statement-breakpoint
DROP FUNCTION "conversations_security"."messages_server_owned_columns"();
--> statement-breakpoint
DROP FUNCTION "conversations_security"."current_user_postable_conversation_ids"();
--> statement-breakpoint
DROP FUNCTION "conversations_security"."current_user_conversation_ids"();
--> statement-breakpoint
DROP FUNCTION "conversations_security"."current_user_id"();
--> statement-breakpoint
REVOKE USAGE ON SCHEMA "conversations_security" FROM conversations_app;
--> statement-breakpoint
DROP SCHEMA "conversations_security";
