-- Hand-written guard, prepended to the generated drop (it and the squawk-ignore comments below are the
-- only hand edits of this file): dropping the legacy tables destroys every chat that was not moved. Lock both tables so the old app cannot add a
-- row between the check and the drop, then refuse (RAISE rolls back the whole migration run, so plain
-- `drizzle-kit migrate` changes nothing) unless every legacy session and message was moved (its copy
-- is in the ledger of the move) or archived with its session (chat_session_archive).
-- Every function below is qualified with pg_catalog: this runs as the migrating role, and an
-- unqualified call (jsonb_build_object('id', uuid) above all) would resolve to an exact-type overload
-- any role that may CREATE in public could plant there.
LOCK TABLE "chat_sessions", "chat_messages" IN ACCESS EXCLUSIVE MODE;--> statement-breakpoint
DO $guard$
DECLARE
  unmoved_sessions bigint;
  unmoved_messages bigint;
  refusal text;
BEGIN
  SELECT pg_catalog.count(*) INTO unmoved_sessions FROM "chat_sessions" cs
  WHERE NOT EXISTS (SELECT 1 FROM "legacy_chat_moved_sessions" l WHERE l.session_id = cs.id)
    AND NOT EXISTS (SELECT 1 FROM "chat_session_archive" a WHERE a.session_id = cs.id);
  SELECT pg_catalog.count(*) INTO unmoved_messages FROM "chat_messages" cm
  WHERE NOT EXISTS (SELECT 1 FROM "legacy_chat_moved_messages" lm JOIN "messages" m ON m.id = lm.message_id
                    WHERE lm.message_id = cm.id)
    AND NOT EXISTS (SELECT 1 FROM "chat_session_archive" a WHERE a.session_id = cm.session_id
                    AND a.messages @> pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('id', cm.id)));
  IF unmoved_sessions > 0 OR unmoved_messages > 0 THEN
    refusal := pg_catalog.format('Refusing to drop chat_sessions and chat_messages: %s legacy sessions and %s legacy messages '
      'are neither moved nor archived. Run `npm run chats:migrate`, then `npm run chats:validate`, then migrate '
      'again. Nothing was changed.', unmoved_sessions, unmoved_messages);
    -- drizzle-kit 0.31 prints notices but not the error that fails a migration (drizzle-orm#5816):
    -- say it as a WARNING too, so plain `drizzle-kit migrate` shows why it stopped.
    RAISE WARNING '%', refusal;
    RAISE EXCEPTION '%', refusal;
  END IF;
END
$guard$;--> statement-breakpoint
-- Accepted (squawk ban-drop-table): dropping the legacy tables is the point of this contract step; the guard above
-- refuses unless every row is moved or archived, and drizzle/down/0012_drop_legacy_chats.sql refills them.
-- squawk-ignore ban-drop-table
DROP TABLE "chat_messages" CASCADE;--> statement-breakpoint
-- squawk-ignore ban-drop-table
DROP TABLE "chat_sessions" CASCADE;--> statement-breakpoint
DROP TYPE "public"."message_role";