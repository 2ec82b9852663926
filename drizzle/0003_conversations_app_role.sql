-- Custom migration: what drizzle's pgRole/pgPolicy cannot express for row-level security. The
-- policies themselves are generated from src/schema in the next migration, which calls the
-- functions below, so this file must run first.
--
-- The application role. Roles are cluster-wide: every database on the server shares it, so it is
-- created only when missing (drizzle's CREATE ROLE would fail on the second database), and a
-- concurrent migration of another database that creates it first is not an error. NOLOGIN: apps
-- GRANT it to their login role and the package's withUser() switches to it per transaction.
-- No down path drops it: other databases on the server may depend on it. A deploy role without
-- CREATEROLE works once the role exists.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'conversations_app') THEN
    BEGIN
      CREATE ROLE conversations_app NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL;
      -- A deploy role without CREATEROLE: say who must do what, instead of a bare permission error.
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'role conversations_app does not exist and % may not create roles', current_user
          USING HINT = 'Have an administrator run CREATE ROLE conversations_app NOLOGIN once on this server, then migrate again.';
    END;
  END IF;
END
$$;
--> statement-breakpoint
-- The current user of this transaction, set by withUser() with set_config('app.user_id', ..., true).
-- Unset, or reset to '' when an earlier transaction on the same connection ended, means nobody:
-- every policy then matches no row.
CREATE FUNCTION "public"."conversations_current_user_id"() RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT nullif(pg_catalog.current_setting('app.user_id', true), '') $$;
--> statement-breakpoint
-- SECURITY DEFINER: runs as the migrating role, which owns conversation_participants and so is not
-- subject to its policies. Without it the participants policy, which asks this very question, would
-- recurse into itself. search_path is pinned so a caller cannot substitute its own objects.
CREATE FUNCTION "public"."conversations_user_is_participant"(conversation uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.conversation_participants p
    WHERE p.conversation_id = conversation
      AND p.user_id = public.conversations_current_user_id()
  )
$$;
--> statement-breakpoint
-- May the current user post into the conversation: a participant whose role is not observer (a
-- missing role counts as the column's default, participant).
CREATE FUNCTION "public"."conversations_user_can_post"(conversation uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.conversation_participants p
    WHERE p.conversation_id = conversation
      AND p.user_id = public.conversations_current_user_id()
      AND p.role IS DISTINCT FROM 'observer'
  )
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "public"."conversations_user_is_participant"(uuid) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "public"."conversations_user_can_post"(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION "public"."conversations_user_is_participant"(uuid) TO conversations_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION "public"."conversations_user_can_post"(uuid) TO conversations_app;
--> statement-breakpoint
-- What the app role may do at all; the policies then narrow it to rows. Read the three tables, post
-- messages, and mark its own participation read (only that column). Creating conversations and
-- adding or removing participants stay with the owning service, which applies the business rules.
GRANT USAGE ON SCHEMA "public" TO conversations_app;
--> statement-breakpoint
GRANT SELECT ON "public"."conversations", "public"."conversation_participants", "public"."messages" TO conversations_app;
--> statement-breakpoint
GRANT INSERT ON "public"."messages" TO conversations_app;
--> statement-breakpoint
GRANT UPDATE ("last_read_at") ON "public"."conversation_participants" TO conversations_app;
