CREATE TABLE "legacy_chat_moved_messages" (
	"message_id" uuid PRIMARY KEY NOT NULL,
	"content_was_null" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "legacy_chat_moved_sessions" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"title_was_null" boolean DEFAULT false NOT NULL,
	"assigned_move_id" uuid,
	"owner_user_id" text,
	"moved_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "legacy_chat_moved_sessions" ADD CONSTRAINT "legacy_chat_moved_sessions_session_id_conversations_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;