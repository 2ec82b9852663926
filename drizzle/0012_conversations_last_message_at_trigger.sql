-- Custom migration: conversations.last_message_at (added by the generated migration before this one)
-- follows the newest message of each conversation, whoever writes it: the app role posting through
-- withUser, the owning service, the legacy move, the cutover's sync.
--
-- Statement-level triggers with transition tables: one UPDATE per INSERT statement, however many rows
-- it inserts (the legacy move inserts thousands per batch; a row trigger would update a conversation
-- once per message). SECURITY DEFINER because the app role may insert messages but not update
-- conversations; search_path pinned and every object qualified, so no object a caller or a role with
-- CREATE on public planted can take a call.
CREATE FUNCTION "conversations_security"."messages_bump_last_message_at"() RETURNS trigger
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
-- A deleted message, or one whose conversation or time changed (the owner only: the app role may not
-- update or delete messages), may have been the newest: recompute from what is left.
CREATE FUNCTION "conversations_security"."messages_recompute_last_message_at"() RETURNS trigger
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
REVOKE ALL ON FUNCTION "conversations_security"."messages_bump_last_message_at"() FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_security"."messages_recompute_last_message_at"() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER "messages_bump_last_message_at"
AFTER INSERT ON "public"."messages"
REFERENCING NEW TABLE AS new_messages
FOR EACH STATEMENT EXECUTE FUNCTION "conversations_security"."messages_bump_last_message_at"();
--> statement-breakpoint
CREATE TRIGGER "messages_recompute_last_message_at_on_update"
AFTER UPDATE ON "public"."messages"
REFERENCING OLD TABLE AS old_messages NEW TABLE AS new_messages
FOR EACH STATEMENT EXECUTE FUNCTION "conversations_security"."messages_recompute_last_message_at"();
--> statement-breakpoint
CREATE TRIGGER "messages_recompute_last_message_at_on_delete"
AFTER DELETE ON "public"."messages"
REFERENCING OLD TABLE AS old_messages
FOR EACH STATEMENT EXECUTE FUNCTION "conversations_security"."messages_recompute_last_message_at"();
--> statement-breakpoint
-- An UPDATE that moves last_message_at is an activity bump, not an edit of the conversation: it
-- leaves updated_at alone (0002's trigger would stamp it, and the cutover's reverse sync would then
-- write chat_sessions.updated_at once per message). The function is unchanged; only its trigger gains
-- the WHEN clause.
DROP TRIGGER "conversations_touch_updated_at" ON "public"."conversations";
--> statement-breakpoint
CREATE TRIGGER "conversations_touch_updated_at"
BEFORE UPDATE ON "public"."conversations"
FOR EACH ROW
WHEN (OLD.last_message_at IS NOT DISTINCT FROM NEW.last_message_at)
EXECUTE FUNCTION "public"."conversations_touch_updated_at"();
--> statement-breakpoint
-- Conversations that already hold messages (moved before this migration ran) get their newest one.
UPDATE "public"."conversations" AS c
SET last_message_at = n.newest
FROM (SELECT m.conversation_id, pg_catalog.max(m.created_at) AS newest
      FROM "public"."messages" AS m
      GROUP BY m.conversation_id) AS n
WHERE c.id OPERATOR(pg_catalog.=) n.conversation_id;
