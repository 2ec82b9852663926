-- Down of 0000_legacy_baseline: drop the BEFORE state (users, employees, moves, chat_sessions,
-- chat_messages, message_role), leaving an empty database.
--
-- On a database adopted with db:baseline these are the host application's own tables, which this
-- package never created. So the guard refuses while any of them holds a row, unless
-- `npm run db:rollback -- --force` set conversations_db.rollback_force. Without rows there is
-- nothing to lose (a fresh database, a test, a CI run).
DO $$
DECLARE
  occupied text;
BEGIN
  IF coalesce(current_setting('conversations_db.rollback_force', true), '') = 'on' THEN
    RETURN;
  END IF;
  SELECT string_agg(name, ', ') INTO occupied FROM (
    SELECT 'users' AS name WHERE EXISTS (SELECT 1 FROM "public"."users")
    UNION ALL SELECT 'employees' WHERE EXISTS (SELECT 1 FROM "public"."employees")
    UNION ALL SELECT 'moves' WHERE EXISTS (SELECT 1 FROM "public"."moves")
    UNION ALL SELECT 'chat_sessions' WHERE EXISTS (SELECT 1 FROM "public"."chat_sessions")
    UNION ALL SELECT 'chat_messages' WHERE EXISTS (SELECT 1 FROM "public"."chat_messages")
  ) AS t;
  IF occupied IS NOT NULL THEN
    RAISE EXCEPTION 'rollback of 0000_legacy_baseline refused: % hold rows; these are the host application''s tables and dropping them loses that data.', occupied
      USING ERRCODE = 'CDB01',
        HINT = 'Roll back to 0000_legacy_baseline instead (it keeps the baseline), or add --force if the data may go.';
  END IF;
END
$$;
--> statement-breakpoint
-- Children before parents.
DROP TABLE "public"."chat_messages";
--> statement-breakpoint
DROP TABLE "public"."chat_sessions";
--> statement-breakpoint
DROP TABLE "public"."moves";
--> statement-breakpoint
DROP TABLE "public"."employees";
--> statement-breakpoint
DROP TABLE "public"."users";
--> statement-breakpoint
DROP TYPE "public"."message_role";
