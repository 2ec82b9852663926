-- Down of 0008_drop_public_policy_functions: the participant checks of 0003, exactly as 0003 made
-- them (with its grants), so that the policies of 0004 work again once the down of 0007 restores them.
CREATE FUNCTION "public"."conversations_current_user_id"() RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT nullif(pg_catalog.current_setting('app.user_id', true), '') $$;
--> statement-breakpoint
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
