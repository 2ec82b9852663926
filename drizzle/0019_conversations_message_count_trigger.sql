-- Custom migration: conversations.message_count (added by the generated migration before this one) is
-- the number of messages the conversation holds, kept by the messages triggers of
-- *_conversations_last_message_at_trigger, whose functions are replaced here (same names, same
-- triggers, same attributes; they now keep both columns in the same UPDATE).
--
-- Why (issue 17): listUserConversations counted the unread messages of every listed conversation per
-- query. For a participant who never read, that is every message of the conversation (50,000 in the
-- bench's largest), and under row-level security each one also passes the policy's hashed-subplan
-- probe: the heavy user's list took 33 ms at p95 as the owner and 53 ms as the app role. With the count
-- kept here, a never-read participant's unread count is message_count and no message is read.
--
-- What changes on the write path: the INSERT trigger now updates the conversation of every message
-- inserted, an older one too (a moved legacy row, a late commit), where it used to leave that row
-- alone and unlocked; it is still one UPDATE per statement, each conversation once. Whoever inserts
-- or deletes goes through these triggers (the app role, the owning service, chats:migrate, its
-- rollback, the cutover's sync), so the count stays exact without a backfill step of their own.
CREATE OR REPLACE FUNCTION "conversations_security"."messages_bump_last_message_at"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- last_message_at only forward (GREATEST ignores its NULL); message_count by the rows inserted.
  UPDATE public.conversations AS c
  SET last_message_at = GREATEST(c.last_message_at, n.newest),
      message_count = c.message_count OPERATOR(pg_catalog.+) n.added
  FROM (SELECT m.conversation_id, pg_catalog.max(m.created_at) AS newest,
               pg_catalog.count(*) AS added
        FROM new_messages AS m
        GROUP BY m.conversation_id) AS n
  WHERE c.id OPERATOR(pg_catalog.=) n.conversation_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A deleted message, or one whose conversation or time changed (the owner only: the app role may not
-- update or delete messages): last_message_at is recomputed from what is left, message_count moves by
-- the rows that left or joined each conversation.
CREATE OR REPLACE FUNCTION "conversations_security"."messages_recompute_last_message_at"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
    UPDATE public.conversations AS c
    SET last_message_at = n.newest,
        message_count = c.message_count OPERATOR(pg_catalog.+) n.delta
    FROM (SELECT t.conversation_id, pg_catalog.sum(t.delta)::bigint AS delta,
                 (SELECT pg_catalog.max(m.created_at) FROM public.messages AS m
                  WHERE m.conversation_id OPERATOR(pg_catalog.=) t.conversation_id) AS newest
          FROM (SELECT o.conversation_id, -1 AS delta FROM old_messages AS o
                UNION ALL SELECT w.conversation_id, 1 AS delta FROM new_messages AS w) AS t
          GROUP BY t.conversation_id) AS n
    WHERE c.id OPERATOR(pg_catalog.=) n.conversation_id
      AND (c.last_message_at IS DISTINCT FROM n.newest OR n.delta OPERATOR(pg_catalog.<>) 0);
  ELSE
    UPDATE public.conversations AS c
    SET last_message_at = n.newest,
        message_count = c.message_count OPERATOR(pg_catalog.-) n.removed
    FROM (SELECT t.conversation_id, t.removed,
                 (SELECT pg_catalog.max(m.created_at) FROM public.messages AS m
                  WHERE m.conversation_id OPERATOR(pg_catalog.=) t.conversation_id) AS newest
          FROM (SELECT o.conversation_id, pg_catalog.count(*) AS removed
                FROM old_messages AS o GROUP BY o.conversation_id) AS t) AS n
    WHERE c.id OPERATOR(pg_catalog.=) n.conversation_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A TRUNCATE of messages (the owner only) empties every conversation: no row trigger fires for it.
CREATE FUNCTION "conversations_security"."messages_truncated_reset_activity"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  UPDATE public.conversations AS c
  SET last_message_at = NULL, message_count = 0
  WHERE c.last_message_at IS NOT NULL OR c.message_count OPERATOR(pg_catalog.<>) 0;
  RETURN NULL;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_security"."messages_truncated_reset_activity"() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER "messages_truncated_reset_activity"
AFTER TRUNCATE ON "public"."messages"
FOR EACH STATEMENT EXECUTE FUNCTION "conversations_security"."messages_truncated_reset_activity"();
--> statement-breakpoint
-- 0002's trigger leaves updated_at alone on an activity bump: now one that moves last_message_at or
-- message_count (or both). Any other UPDATE still stamps it.
DROP TRIGGER "conversations_touch_updated_at" ON "public"."conversations";
--> statement-breakpoint
CREATE TRIGGER "conversations_touch_updated_at"
BEFORE UPDATE ON "public"."conversations"
FOR EACH ROW
WHEN (OLD.last_message_at IS NOT DISTINCT FROM NEW.last_message_at
      AND OLD.message_count IS NOT DISTINCT FROM NEW.message_count)
EXECUTE FUNCTION "public"."conversations_touch_updated_at"();
--> statement-breakpoint
-- Conversations that already hold messages get their count.
UPDATE "public"."conversations" AS c
SET message_count = n.total
FROM (SELECT m.conversation_id, pg_catalog.count(*) AS total
      FROM "public"."messages" AS m
      GROUP BY m.conversation_id) AS n
WHERE c.id OPERATOR(pg_catalog.=) n.conversation_id;
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."message_count" IS 'How many messages the conversation holds, kept by triggers on messages; the unread count of a participant who never read.';
