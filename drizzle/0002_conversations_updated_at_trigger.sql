-- Custom migration: drizzle's $onUpdate only fires for updates sent through drizzle, so raw SQL,
-- psql sessions and other services would leave updated_at stale. A trigger covers every UPDATE.
-- An UPDATE that sets updated_at itself keeps that value (the legacy move copies each session's own
-- updated_at); any other UPDATE stamps the time of its transaction.
CREATE FUNCTION "public"."conversations_touch_updated_at"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "conversations_touch_updated_at"
BEFORE UPDATE ON "public"."conversations"
FOR EACH ROW EXECUTE FUNCTION "public"."conversations_touch_updated_at"();
