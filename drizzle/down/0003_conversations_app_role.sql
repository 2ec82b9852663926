-- Down of 0003_conversations_app_role: take back what this database granted conversations_app and
-- drop the participant-check functions. The role itself stays: roles are cluster-wide, other
-- databases on the server may use it, and 0003 only created it when it was missing. No data changes.
REVOKE UPDATE ("last_read_at") ON "public"."conversation_participants" FROM conversations_app;
--> statement-breakpoint
REVOKE INSERT ON "public"."messages" FROM conversations_app;
--> statement-breakpoint
REVOKE SELECT ON "public"."conversations", "public"."conversation_participants", "public"."messages" FROM conversations_app;
--> statement-breakpoint
REVOKE USAGE ON SCHEMA "public" FROM conversations_app;
--> statement-breakpoint
DROP FUNCTION "public"."conversations_user_can_post"(uuid);
--> statement-breakpoint
DROP FUNCTION "public"."conversations_user_is_participant"(uuid);
--> statement-breakpoint
DROP FUNCTION "public"."conversations_current_user_id"();
