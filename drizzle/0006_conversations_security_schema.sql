-- Custom migration: the helper functions of the row-level security policies, in a schema of their
-- own, and the columns of a message that the server, not the app role, decides.
--
-- Why a schema: the functions of 0003 live in public, where a role with CREATE on public (every role,
-- before PostgreSQL 15) can plant an overload such as conversations_current_user_id(int default 0)
-- and make every policy's call ambiguous (a denial of service) or take it over. Only the migrating
-- role, which owns this schema, may create objects in it; the app role may only use it.
CREATE SCHEMA "conversations_security";
--> statement-breakpoint
GRANT USAGE ON SCHEMA "conversations_security" TO conversations_app;
--> statement-breakpoint
-- The current user of this transaction, set by withUser() with set_config('app.user_id', ..., true).
-- Unset, or reset to '' when an earlier transaction on the same connection ended, means nobody:
-- every policy then matches no row. Plain SQL without a SET clause, so the planner inlines it.
CREATE FUNCTION "conversations_security"."current_user_id"() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(pg_catalog.current_setting('app.user_id', true), '') $$;
--> statement-breakpoint
-- The conversations the current user takes part in. The policies ask `conversation_id IN (SELECT
-- this())`, which PostgreSQL runs once per query and hashes (a hashed subplan): a per-row call of a
-- SECURITY DEFINER function with a SET clause is never inlined and cost ~10 us a row, which made a
-- heavy user's conversation list 44 times slower under RLS (issue 17). SECURITY DEFINER so the
-- policy on conversation_participants can read that table without recursing into itself; the
-- search_path is pinned so a caller cannot substitute its own objects.
CREATE FUNCTION "conversations_security"."current_user_conversation_ids"() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 50
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT p.conversation_id FROM public.conversation_participants p
  WHERE p.user_id = conversations_security.current_user_id()
$$;
--> statement-breakpoint
-- The conversations the current user may post into: a participant whose role is not observer (a
-- missing role counts as the column's default, participant).
CREATE FUNCTION "conversations_security"."current_user_postable_conversation_ids"() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 50
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT p.conversation_id FROM public.conversation_participants p
  WHERE p.user_id = conversations_security.current_user_id()
    AND p.role IS DISTINCT FROM 'observer'
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_security"."current_user_conversation_ids"() FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "conversations_security"."current_user_postable_conversation_ids"() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION "conversations_security"."current_user_conversation_ids"() TO conversations_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION "conversations_security"."current_user_postable_conversation_ids"() TO conversations_app;
--> statement-breakpoint
-- The columns of a message the app role may not choose: its id (a chosen id could take the id of a
-- legacy message not yet moved, and block the move), its time (a backdated or future created_at
-- would reorder the conversation and hide it from unread counts) and the model (only the AI's
-- messages name one). Column privileges cannot express this: drizzle lists every column in an
-- INSERT, with DEFAULT for those not given, and that needs INSERT on each. So, for a member of the
-- app role that is not a member of the table's owner (the migrating role, the mover, a superuser),
-- the server sets them, whatever the app sent.
CREATE FUNCTION "conversations_security"."messages_server_owned_columns"() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF pg_catalog.pg_has_role(current_user, 'conversations_app', 'MEMBER')
     AND NOT pg_catalog.pg_has_role(current_user,
       (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
    NEW.id := pg_catalog.gen_random_uuid();
    NEW.created_at := pg_catalog.now();
    NEW.model := NULL;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
-- The WHEN clause keeps the function out of bulk writes by the owner or a superuser (the legacy move
-- inserts a million messages): a PL/pgSQL call per row costs them tens of microseconds, this test one.
CREATE TRIGGER "messages_server_owned_columns"
BEFORE INSERT ON "public"."messages"
FOR EACH ROW
WHEN (pg_catalog.current_setting('is_superuser') OPERATOR(pg_catalog.=) 'off'
      AND pg_catalog.pg_has_role(current_user, 'conversations_app', 'MEMBER'))
EXECUTE FUNCTION "conversations_security"."messages_server_owned_columns"();
