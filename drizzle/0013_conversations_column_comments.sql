-- Custom migration, rendered from src/schema/column-comments.ts (npx tsx scripts/column-comments-sql.ts
-- --write; do not edit by hand): the documentation of every table and column apps read (conversations,
-- participants, messages, the orphan archive).
COMMENT ON TABLE "public"."conversations" IS 'A conversation about one move (seed 000): its participants and messages hang off it. Written by the owning service; apps read it under row-level security.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."id" IS 'Primary key. For conversations moved from chat_sessions, the legacy session id.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."move_id" IS 'The move the conversation is about (moves.id); required, unlike the legacy chat_sessions.move_id.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."title" IS 'Shown in the conversation list; ''New Conversation'' when none was given (also for legacy sessions without a title).';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."type" IS 'What the conversation is about: housing, moving, services, budget, general, vendor or internal.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."status" IS 'active, archived or closed; archived and closed conversations are kept, not deleted.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."created_by" IS 'The user (users.id) who started it; NULL for conversations moved from the legacy tables.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."agent_mail_inbox_id" IS 'The AgentMail inbox that receives email for this conversation, if any.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."agent_mail_email_address" IS 'The email address of that inbox.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."created_at" IS 'When the conversation was started.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."updated_at" IS 'When the conversation itself last changed (stamped on every UPDATE except activity bumps); not when a message arrived.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."last_message_at" IS 'created_at of the newest message, kept by triggers on messages; NULL until the first message. Orders the conversation list.';
--> statement-breakpoint
COMMENT ON TABLE "public"."conversation_participants" IS 'Who takes part in a conversation, in which role, and how far they have read.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."id" IS 'Primary key.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."conversation_id" IS 'The conversation (conversations.id).';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."user_id" IS 'The user (users.id); NULL only for the AI and the system participant (one of each per conversation).';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."participant_type" IS 'employee, admin, vendor (people, who need a user_id), ai or system.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."role" IS 'owner, participant or observer; observers read but may not post.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."joined_at" IS 'When the participant was added.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversation_participants"."last_read_at" IS 'The created_at of the newest message this participant has read; later messages are unread. NULL: never read.';
--> statement-breakpoint
COMMENT ON TABLE "public"."messages" IS 'The messages of conversations. Apps post through row-level security as their user; the owning service posts for the AI and the system.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."id" IS 'Primary key, chosen by the server for messages the app role posts. For moved messages, the legacy chat_messages id.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."conversation_id" IS 'The conversation (conversations.id).';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."author_id" IS 'The user who wrote it (users.id); NULL for the AI, the system and moved legacy messages.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."author_type" IS 'user, ai or system (legacy roles user, assistant, system).';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."content" IS 'The message text, stored as written; moved legacy messages without content hold ''''.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."tool_calls" IS 'The AI tool calls made for this message, as the model returned them.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."reasoning" IS 'The AI''s reasoning text, if recorded.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."model" IS 'The model that wrote an AI message; set only by the owning service.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."metadata" IS 'Typed keys isEmail, emailFrom, emailTo, emailSubject, mentioned; other keys (from legacy rows) are kept.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."messages"."created_at" IS 'When the message was posted (the server time of its transaction for app-role posts).';
--> statement-breakpoint
COMMENT ON TABLE "public"."chat_session_archive" IS 'Legacy chat sessions that could not become conversations (no move), kept whole with their messages.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."session_id" IS 'The legacy chat_sessions id.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."session" IS 'The legacy chat_sessions row as jsonb.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."messages" IS 'The session''s legacy chat_messages rows as a jsonb array.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."reason" IS 'Why the session was archived instead of moved.';
--> statement-breakpoint
COMMENT ON COLUMN "public"."chat_session_archive"."archived_at" IS 'When it was archived.';
