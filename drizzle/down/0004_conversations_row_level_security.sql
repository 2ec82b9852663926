-- Down of 0004_conversations_row_level_security: drop the policies, then turn row-level security off
-- on the three tables. No data changes. Afterwards conversations_app keeps its table grants (0003),
-- so until 0003 is reversed too it would see every row: roll back both together.
DROP POLICY "participants_update_own_row" ON "public"."conversation_participants";
--> statement-breakpoint
DROP POLICY "participants_select_as_participant" ON "public"."conversation_participants";
--> statement-breakpoint
DROP POLICY "messages_insert_as_self" ON "public"."messages";
--> statement-breakpoint
DROP POLICY "messages_select_as_participant" ON "public"."messages";
--> statement-breakpoint
DROP POLICY "conversations_select_as_participant" ON "public"."conversations";
--> statement-breakpoint
ALTER TABLE "public"."conversation_participants" DISABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "public"."messages" DISABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "public"."conversations" DISABLE ROW LEVEL SECURITY;
