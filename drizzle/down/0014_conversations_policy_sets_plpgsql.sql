-- Down of 0014_conversations_policy_sets_plpgsql: the conversation sets as SQL functions again,
-- exactly as 0006_conversations_security_schema made them (CREATE OR REPLACE keeps their grants).
CREATE OR REPLACE FUNCTION "conversations_security"."current_user_conversation_ids"() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 50
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT p.conversation_id FROM public.conversation_participants p
  WHERE p.user_id = conversations_security.current_user_id()
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "conversations_security"."current_user_postable_conversation_ids"() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 50
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT p.conversation_id FROM public.conversation_participants p
  WHERE p.user_id = conversations_security.current_user_id()
    AND p.role IS DISTINCT FROM 'observer'
$$;
