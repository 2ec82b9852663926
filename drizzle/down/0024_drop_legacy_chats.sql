-- Down of 0024_drop_legacy_chats: bring the legacy chat tables back, exactly as 0000_legacy_baseline
-- created them (same columns, defaults and constraint names), refilled losslessly by reversing the
-- mapping (src/legacy-move/mapping.ts: the same expressions as the reverse sync), and the sync on again:
--   - EVERY conversation and message comes back, moved or written by the new app after go-live, since
--     until the drop the reverse sync kept a legacy row for each; the move's ledger
--     (legacy_chat_moved_sessions / _messages) says what the mapping replaced (a NULL title that became
--     'New Conversation', NULL content that became '', a NULL move_id of an orphan that
--     --orphans=assign attached to a move);
--   - timestamps were read as UTC on the way in, so they are written back as UTC;
--   - author_type maps back to message_role (ai -> assistant; the mapping is a bijection);
--   - archived orphans come back from chat_session_archive, which kept each legacy row as jsonb.
-- A session both moved and archived (archived, then later assigned) comes back from its moved copy.
-- Functions are qualified with pg_catalog and the enum is compared as text: this runs as the
-- migrating role, and an exact-type overload planted in public would otherwise win the call.
CREATE TYPE "public"."message_role" AS ENUM('user', 'assistant', 'system');
--> statement-breakpoint
CREATE TABLE "chat_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"move_id" uuid,
	"title" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"agent_mail_inbox_id" text,
	"agent_mail_email_address" text
);
--> statement-breakpoint
CREATE TABLE "chat_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"role" "message_role" NOT NULL,
	"content" text,
	"tool_calls" jsonb,
	"metadata" jsonb,
	"reasoning" text,
	"model" text,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
INSERT INTO "chat_sessions" ("id", "move_id", "title", "created_at", "updated_at", "agent_mail_inbox_id", "agent_mail_email_address")
SELECT c."id",
       (CASE WHEN l.assigned_move_id = c.move_id THEN NULL ELSE c.move_id END),
       (CASE WHEN l.title_was_null IS TRUE AND c.title = 'New Conversation'::text THEN NULL ELSE c.title END),
       (c.created_at AT TIME ZONE 'UTC'::text),
       (c.updated_at AT TIME ZONE 'UTC'::text),
       c."agent_mail_inbox_id",
       c."agent_mail_email_address"
FROM "conversations" c
LEFT JOIN "legacy_chat_moved_sessions" l ON l."session_id" = c."id";
--> statement-breakpoint
INSERT INTO "chat_sessions"
SELECT (pg_catalog.jsonb_populate_record(NULL::"chat_sessions", a."session")).*
FROM "chat_session_archive" a
ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
INSERT INTO "chat_messages" ("id", "session_id", "role", "content", "tool_calls", "metadata", "reasoning", "model", "created_at")
SELECT m."id",
       m."conversation_id",
       (CASE m.author_type::text WHEN 'ai'::text THEN 'assistant'::text WHEN 'system'::text THEN 'system'::text ELSE 'user'::text END)::public.message_role,
       (CASE WHEN lm.content_was_null IS TRUE AND m.content = ''::text THEN NULL ELSE m.content END),
       m."tool_calls",
       m."metadata",
       m."reasoning",
       m."model",
       (m.created_at AT TIME ZONE 'UTC'::text)
FROM "messages" m
LEFT JOIN "legacy_chat_moved_messages" lm ON lm."message_id" = m."id";
--> statement-breakpoint
INSERT INTO "chat_messages"
SELECT (pg_catalog.jsonb_populate_record(NULL::"chat_messages", e.value)).*
FROM "chat_session_archive" a
CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(a."messages") AS e(value)
-- The archived image of a session that was later moved is stale: its moved copy came back above.
WHERE NOT EXISTS (SELECT 1 FROM "legacy_chat_moved_sessions" l WHERE l."session_id" = a."session_id")
ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_session_id_chat_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."chat_sessions"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD CONSTRAINT "chat_sessions_move_id_moves_id_fk" FOREIGN KEY ("move_id") REFERENCES "public"."moves"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- Both shapes are equal again: keep them so (0010_legacy_chat_sync), until the drop runs once more.
SELECT "conversations_cutover"."legacy_chat_sync_install"();
