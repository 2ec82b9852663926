-- Down of 0013_conversations_column_comments: removes the comments it set (IS NULL). No data changes.
COMMENT ON TABLE "public"."conversations" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."move_id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."title" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."type" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."status" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."created_by" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."agent_mail_inbox_id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."agent_mail_email_address" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."created_at" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."updated_at" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."last_message_at" IS NULL;
--> statement-breakpoint
COMMENT ON TABLE "public"."conversation_participants" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."conversation_id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."user_id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."participant_type" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."role" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."joined_at" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."last_read_at" IS NULL;
--> statement-breakpoint
COMMENT ON TABLE "public"."messages" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."conversation_id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."author_id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."author_type" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."content" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."tool_calls" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."reasoning" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."model" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."metadata" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."created_at" IS NULL;
--> statement-breakpoint
COMMENT ON TABLE "public"."chat_session_archive" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."session_id" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."session" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."messages" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."reason" IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."archived_at" IS NULL;
