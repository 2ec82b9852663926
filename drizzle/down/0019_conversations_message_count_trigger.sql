-- Down of 0019_conversations_message_count_trigger: the messages triggers' functions as 0012 defined them
-- (last_message_at only), no TRUNCATE trigger, and 0002's trigger with 0012's WHEN clause. message_count
-- keeps its values, no longer maintained, until the down of 0018 drops the column.
CREATE OR REPLACE FUNCTION "conversations_security"."messages_bump_last_message_at"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- Only forward: a message older than the conversation's newest (a moved legacy row, a transaction
  -- that began earlier but commits later) leaves the row alone, so it is neither rewritten nor locked.
  UPDATE public.conversations AS c
  SET last_message_at = n.newest
  FROM (SELECT m.conversation_id, pg_catalog.max(m.created_at) AS newest
        FROM new_messages AS m
        GROUP BY m.conversation_id) AS n
  WHERE c.id OPERATOR(pg_catalog.=) n.conversation_id
    AND (c.last_message_at IS NULL OR c.last_message_at OPERATOR(pg_catalog.<) n.newest);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "conversations_security"."messages_recompute_last_message_at"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
    UPDATE public.conversations AS c
    SET last_message_at = n.newest
    FROM (SELECT t.conversation_id,
                 (SELECT pg_catalog.max(m.created_at) FROM public.messages AS m
                  WHERE m.conversation_id OPERATOR(pg_catalog.=) t.conversation_id) AS newest
          FROM (SELECT o.conversation_id FROM old_messages AS o
                UNION SELECT w.conversation_id FROM new_messages AS w) AS t) AS n
    WHERE c.id OPERATOR(pg_catalog.=) n.conversation_id
      AND c.last_message_at IS DISTINCT FROM n.newest;
  ELSE
    UPDATE public.conversations AS c
    SET last_message_at = n.newest
    FROM (SELECT t.conversation_id,
                 (SELECT pg_catalog.max(m.created_at) FROM public.messages AS m
                  WHERE m.conversation_id OPERATOR(pg_catalog.=) t.conversation_id) AS newest
          FROM (SELECT DISTINCT o.conversation_id FROM old_messages AS o) AS t) AS n
    WHERE c.id OPERATOR(pg_catalog.=) n.conversation_id
      AND c.last_message_at IS DISTINCT FROM n.newest;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER "messages_truncated_reset_activity" ON "public"."messages";
--> statement-breakpoint
DROP FUNCTION "conversations_security"."messages_truncated_reset_activity"();
--> statement-breakpoint
DROP TRIGGER "conversations_touch_updated_at" ON "public"."conversations";
--> statement-breakpoint
CREATE TRIGGER "conversations_touch_updated_at"
BEFORE UPDATE ON "public"."conversations"
FOR EACH ROW
WHEN (OLD.last_message_at IS NOT DISTINCT FROM NEW.last_message_at)
EXECUTE FUNCTION "public"."conversations_touch_updated_at"();
--> statement-breakpoint
COMMENT ON COLUMN "public"."conversations"."message_count" IS NULL;
