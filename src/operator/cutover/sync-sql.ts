import { inferredOwnersSql, mapSql, orphanArchiveReason } from '../legacy-move/mapping.js';
import { differencesSql } from './differences-sql.js';
import { guardLogFunctionNames, guardLogSql, installGuardLog, uninstallGuardLog } from './guard-log-sql.js';
import { syncingSetting } from './syncing-setting.js';

// Renders drizzle/<n>_legacy_chat_sync.sql (the custom migration of the expand step that keeps the
// legacy and the new tables equal from then until the drop) from the one mapping in
// src/operator/legacy-move/mapping.ts. `npm run cutover:sql -- --write` rewrites the migration from this file;
// test/cutover-sql.test.ts fails when they differ. Every function pins search_path to pg_catalog,
// pg_temp and names public objects in full, so nothing a hostile role puts in public is called.

/**
 * The sync's triggers as this migration creates them: [table, trigger name, function]. conversations has
 * two: its UPDATE trigger fires only when a column the legacy shape holds changed, so a last_message_at
 * bump (one per message the new app posts) does not call the reverse sync. statement-sync-sql.ts makes
 * messages' statement-level (syncTriggers there is the list the status checks).
 */
export const guardedSyncTriggers = [
  ['chat_sessions', 'legacy_chat_sync_forward', 'legacy_chat_sync_forward_session'],
  ['chat_messages', 'legacy_chat_sync_forward', 'legacy_chat_sync_forward_message'],
  ['conversations', 'legacy_chat_sync_reverse', 'legacy_chat_sync_reverse_conversation'],
  ['conversations', 'legacy_chat_sync_reverse_update', 'legacy_chat_sync_reverse_conversation'],
  ['messages', 'legacy_chat_sync_reverse', 'legacy_chat_sync_reverse_message'],
] as const;

export const pinned = 'SET search_path = pg_catalog, pg_temp';
const breakpoint = '\n--> statement-breakpoint\n';
export const q = (text: string) => `'${text.replaceAll("'", "''")}'`;
const syncKey = 'conversations_cutover.legacy_chat_sync_key';
export const marked = '"conversations_cutover"."legacy_chat_sync_marked"()';

// The no-ping-pong marker (issue 11): a write made by the sync (or the mover, whose writes are the image
// of the legacy rows) is skipped by the other direction. A plain setting any session could set to 'on'
// let any session bypass the sync and make the shapes drift silently; the marker is now a random token
// in a table only the owner reads (this migration draws it): only the sync's SECURITY DEFINER functions
// and the owner's legacy_chat_sync_mark() can set the setting to it, and only that value skips the sync.
// The key's primary key: under the mover's enable_seqscan = off, a scan of a table without an index costs
// past jit_above_cost, and JIT compiled each read of the token (60 ms a batch, measured).
const marker = `CREATE TABLE "conversations_cutover"."legacy_chat_sync_key" ("token" text PRIMARY KEY NOT NULL);${breakpoint}REVOKE ALL ON TABLE "conversations_cutover"."legacy_chat_sync_key" FROM PUBLIC;${breakpoint}INSERT INTO "conversations_cutover"."legacy_chat_sync_key" ("token")
SELECT pg_catalog.md5(pg_catalog.gen_random_uuid()::text) OPERATOR(pg_catalog.||) pg_catalog.md5(pg_catalog.gen_random_uuid()::text);${breakpoint}-- Whether this transaction's writes are the sync's (or the mover's): the triggers' WHEN clause, so the
-- app role may call it (it says yes or no, never the token). jit off: it runs once per row written, and
-- a session that disables plans (the mover's enable_seqscan = off) must never make it compile (before
-- the key had its primary key, that compiled it on every call: 60 ms a row, measured).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_marked"() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER ${pinned} SET jit = off AS $sync$
  SELECT COALESCE(pg_catalog.current_setting(${q(syncingSetting)}, true) = (SELECT k.token FROM ${syncKey} k), false);
$sync$;${breakpoint}-- Marks the rest of this transaction's writes as the legacy image (the mover, chats:rollback): the sync
-- skips them. The owner only (EXECUTE revoked from PUBLIC below).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_mark"() RETURNS void
LANGUAGE sql SECURITY DEFINER ${pinned} AS $sync$
  SELECT pg_catalog.set_config(${q(syncingSetting)}, k.token, true) FROM ${syncKey} k;
$sync$;`;

/** The body of a trigger function that mirrors a write, skipping writes made by the other direction. */
export function syncTrigger(name: string, comment: string, declarations: string, body: string): string {
  return `-- ${comment}
CREATE OR REPLACE FUNCTION "conversations_cutover"."${name}"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER ${pinned} AS $sync$
DECLARE
  outer_sync text := pg_catalog.current_setting(${q(syncingSetting)}, true);
  marker text := (SELECT k.token FROM ${syncKey} k);
${declarations}BEGIN
  IF outer_sync = marker THEN
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config(${q(syncingSetting)}, marker, true);
${body}
  PERFORM pg_catalog.set_config(${q(syncingSetting)}, COALESCE(outer_sync, ''), true);
  RETURN NULL;
END
$sync$;`;
}

const conversationColumns =
  'id, move_id, title, type, status, created_by, agent_mail_inbox_id, agent_mail_email_address, created_at, updated_at';
const syncedConversationColumns = [
  'move_id',
  'title',
  'agent_mail_inbox_id',
  'agent_mail_email_address',
  'created_at',
  'updated_at',
];
const syncedMessageColumns = [
  'conversation_id',
  'author_type',
  'content',
  'tool_calls',
  'reasoning',
  'model',
  'metadata',
  'created_at',
];
export const legacySessionColumns = [
  'move_id',
  'title',
  'created_at',
  'updated_at',
  'agent_mail_inbox_id',
  'agent_mail_email_address',
];
export const legacyMessageColumns = [
  'session_id',
  'role',
  'content',
  'tool_calls',
  'metadata',
  'reasoning',
  'model',
  'created_at',
];

/** ON CONFLICT ... DO UPDATE that writes only when something differs. */
export function upsertSet(alias: string, columns: string[]): string {
  const set = columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  const mine = columns.map((c) => `${alias}.${c}`).join(', ');
  const theirs = columns.map((c) => `EXCLUDED.${c}`).join(', ');
  return `DO UPDATE SET ${set}
      WHERE (${mine}) IS DISTINCT FROM (${theirs})`;
}

const messageValues = (row: string) =>
  `${row}.id, ${row}.session_id, NULL, ${mapSql.authorType(`${row}.role`)}, ${mapSql.content(`${row}.content`)},
      ${row}.tool_calls, ${row}.reasoning, ${row}.model, ${row}.metadata, ${mapSql.utc(`${row}.created_at`)}`;
const messageInsert =
  'INSERT INTO public.messages AS m (id, conversation_id, author_id, author_type, content, tool_calls, reasoning, model, metadata, created_at)';

const helpers = `-- The move's copy of a legacy session goes (its messages, participants and ledger rows with it).
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_drop_copy"(target_session uuid) RETURNS void
LANGUAGE sql ${pinned} AS $sync$
  DELETE FROM public.legacy_chat_moved_messages lm USING public.messages m
  WHERE m.id = lm.message_id AND m.conversation_id = target_session;
  DELETE FROM public.conversations c WHERE c.id = target_session;
$sync$;${breakpoint}-- Every legacy message of a session that just became a conversation, moved as the mover moves them.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_move_messages_of"(target_session uuid) RETURNS void
LANGUAGE sql ${pinned} AS $sync$
  ${messageInsert}
  SELECT ${messageValues('cm')}
  FROM public.chat_messages cm WHERE cm.session_id = target_session
  ON CONFLICT (id) ${upsertSet('m', syncedMessageColumns)};
  INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null)
  SELECT cm.id, cm.content IS NULL FROM public.chat_messages cm WHERE cm.session_id = target_session
  ON CONFLICT (message_id) ${upsertSet('lm', ['content_was_null'])};
$sync$;${breakpoint}-- An archived orphan's message changed: rewrite the archive's array without scanning chat_messages.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_archive_message"(target_session uuid, target_message uuid, image jsonb) RETURNS void
LANGUAGE sql ${pinned} AS $sync$
  UPDATE public.chat_session_archive a SET messages = (
    SELECT COALESCE(pg_catalog.jsonb_agg(x.e ORDER BY
             (pg_catalog.jsonb_populate_record(NULL::public.chat_messages, x.e)).created_at,
             (pg_catalog.jsonb_populate_record(NULL::public.chat_messages, x.e)).id), '[]'::jsonb)
    FROM (SELECT e.value FROM pg_catalog.jsonb_array_elements(a.messages) AS e(value)
          WHERE (e.value OPERATOR(pg_catalog.->>) 'id'::text) IS DISTINCT FROM target_message::text
          UNION ALL SELECT image WHERE image IS NOT NULL) AS x(e))
  WHERE a.session_id = target_session;
$sync$;`;

const forwardSession = syncTrigger(
  'legacy_chat_sync_forward_session',
  'Forward sync: an old-app write of chat_sessions, applied to the new tables under the mapping (as chats:migrate would).',
  `  policy public.legacy_chat_cutover%ROWTYPE;
  ledger public.legacy_chat_moved_sessions%ROWTYPE;
  target_move uuid;
  owner text;
  had_copy boolean;
`,
  `  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
    PERFORM conversations_cutover.legacy_chat_sync_drop_copy(OLD.id);
    DELETE FROM public.chat_session_archive a WHERE a.session_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT * INTO policy FROM public.legacy_chat_cutover;
    SELECT * INTO ledger FROM public.legacy_chat_moved_sessions l WHERE l.session_id = NEW.id;
    had_copy := EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = NEW.id);
    target_move := COALESCE(${mapSql.moveId('NEW.move_id', 'ledger.assigned_move_id')},
      CASE WHEN policy.orphan_policy = 'assign' THEN policy.assign_move_id END);
    IF target_move IS NULL THEN
      -- An orphan: its moved copy goes (as the mover's convergence does); the archive follows the
      -- policy chats:migrate recorded (none recorded yet: the session waits for chats:migrate).
      IF had_copy THEN
        PERFORM conversations_cutover.legacy_chat_sync_drop_copy(NEW.id);
      END IF;
      IF EXISTS (SELECT 1 FROM public.chat_session_archive a WHERE a.session_id = NEW.id) AND NOT had_copy THEN
        UPDATE public.chat_session_archive a SET session = ${mapSql.archiveRow('NEW')} WHERE a.session_id = NEW.id;
      ELSIF policy.orphan_policy = 'archive' THEN
        INSERT INTO public.chat_session_archive AS a (session_id, session, messages, reason)
        SELECT NEW.id, ${mapSql.archiveRow('NEW')},
               COALESCE((SELECT ${mapSql.archiveMessages('cm')} FROM public.chat_messages cm
                         WHERE TG_OP = 'UPDATE' AND cm.session_id = NEW.id), '[]'::jsonb),
               ${q(orphanArchiveReason)}
        ON CONFLICT (session_id) ${upsertSet('a', ['session', 'messages', 'reason'])};
      END IF;
    ELSE
      DELETE FROM public.chat_session_archive a WHERE a.session_id = NEW.id;
      INSERT INTO public.conversations AS c (${conversationColumns})
      VALUES (NEW.id, target_move, ${mapSql.title('NEW.title')}, 'general', 'active', NULL,
        NEW.agent_mail_inbox_id, NEW.agent_mail_email_address, ${mapSql.utc('NEW.created_at')}, ${mapSql.utc('NEW.updated_at')})
      ON CONFLICT (id) ${upsertSet('c', syncedConversationColumns)};
      -- A conversation the new app created (a copy without a ledger row) stays the new app's, unless the
      -- old app sets its title to NULL: only the ledger can remember that, so the move adopts it.
      IF ledger.session_id IS NOT NULL OR NOT had_copy OR NEW.title IS NULL THEN
        SELECT o.user_id INTO owner FROM ${inferredOwnersSql('m.id = target_move')} o;
        IF ledger.owner_user_id IS DISTINCT FROM owner THEN
          DELETE FROM public.conversation_participants p
          WHERE p.conversation_id = NEW.id AND p.user_id = ledger.owner_user_id
            AND p.participant_type = 'employee' AND p.role = 'owner';
        END IF;
        INSERT INTO public.legacy_chat_moved_sessions AS l (session_id, title_was_null, assigned_move_id, owner_user_id)
        VALUES (NEW.id, NEW.title IS NULL, CASE WHEN NEW.move_id IS NULL THEN target_move END, owner)
        ON CONFLICT (session_id) ${upsertSet('l', ['title_was_null', 'assigned_move_id', 'owner_user_id'])};
        INSERT INTO public.conversation_participants (conversation_id, user_id, participant_type, role)
        VALUES (NEW.id, NULL, 'ai', 'participant')
        ON CONFLICT (conversation_id, participant_type) WHERE user_id IS NULL DO NOTHING;
        IF owner IS NOT NULL THEN
          INSERT INTO public.conversation_participants (conversation_id, user_id, participant_type, role)
          VALUES (NEW.id, owner, 'employee', 'owner')
          ON CONFLICT (conversation_id, user_id) DO NOTHING;
        END IF;
      END IF;
      -- A session that just became a conversation (it was an orphan): its messages follow.
      IF TG_OP = 'UPDATE' AND NOT had_copy THEN
        PERFORM conversations_cutover.legacy_chat_sync_move_messages_of(NEW.id);
      END IF;
    END IF;
  END IF;`,
);

const forwardMessage = syncTrigger(
  'legacy_chat_sync_forward_message',
  'Forward sync: an old-app write of chat_messages, applied to messages and the ledger under the mapping.',
  `  born_new boolean;
`,
  `  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.id <> NEW.id OR OLD.session_id <> NEW.session_id)) THEN
    -- The ledger row stays, or is written, as a tombstone: a chats:migrate batch that read this message
    -- before the delete and is copying it now conflicts on that row (REPEATABLE READ: it runs again and
    -- no longer sees the message); this insert waits for a batch that wrote it first, so the DELETE
    -- below then sees and removes that batch's copy. chats:migrate clears ledger rows without a message.
    INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null) VALUES (OLD.id, false)
    ON CONFLICT (message_id) DO NOTHING;
    DELETE FROM public.messages m WHERE m.id = OLD.id;
    PERFORM conversations_cutover.legacy_chat_sync_archive_message(OLD.session_id, OLD.id, NULL);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = NEW.session_id) THEN
      -- A message the new app wrote (a copy without a ledger row) stays the new app's.
      born_new := TG_OP = 'UPDATE'
        AND EXISTS (SELECT 1 FROM public.messages m WHERE m.id = NEW.id)
        AND NOT EXISTS (SELECT 1 FROM public.legacy_chat_moved_messages lm WHERE lm.message_id = NEW.id);
      ${messageInsert}
      VALUES (${messageValues('NEW')})
      ON CONFLICT (id) ${upsertSet('m', syncedMessageColumns)};
      IF NOT born_new OR NEW.content IS NULL THEN
        INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null)
        VALUES (NEW.id, NEW.content IS NULL)
        ON CONFLICT (message_id) ${upsertSet('lm', ['content_was_null'])};
      END IF;
    ELSE
      PERFORM conversations_cutover.legacy_chat_sync_archive_message(NEW.session_id, NEW.id, ${mapSql.archiveRow('NEW')});
    END IF;
  END IF;`,
);

const reverseConversation = syncTrigger(
  'legacy_chat_sync_reverse_conversation',
  'Reverse sync: a new-app write of conversations, applied to chat_sessions (the fields the legacy shape holds).',
  `  ledger public.legacy_chat_moved_sessions%ROWTYPE;
  legacy_move uuid;
  legacy_title text;
`,
  `  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
    BEGIN
      DELETE FROM public.chat_sessions cs WHERE cs.id = OLD.id;
    EXCEPTION WHEN foreign_key_violation THEN
      -- Legacy messages the sync did not reach (it was off): they go with their session.
      DELETE FROM public.chat_messages cm WHERE cm.session_id = OLD.id;
      DELETE FROM public.chat_sessions cs WHERE cs.id = OLD.id;
    END;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT * INTO ledger FROM public.legacy_chat_moved_sessions l WHERE l.session_id = NEW.id;
    legacy_move := ${mapSql.legacyMoveId('NEW.move_id', 'ledger.assigned_move_id')};
    legacy_title := ${mapSql.legacyTitle('NEW.title', 'ledger.title_was_null')};
    INSERT INTO public.chat_sessions AS cs (id, ${legacySessionColumns.join(', ')})
    VALUES (NEW.id, legacy_move, legacy_title, ${mapSql.legacyTimestamp('NEW.created_at')},
      ${mapSql.legacyTimestamp('NEW.updated_at')}, NEW.agent_mail_inbox_id, NEW.agent_mail_email_address)
    ON CONFLICT (id) ${upsertSet('cs', legacySessionColumns)};
    IF ledger.session_id IS NOT NULL THEN
      UPDATE public.legacy_chat_moved_sessions l
      SET title_was_null = legacy_title IS NULL, assigned_move_id = CASE WHEN legacy_move IS NULL THEN l.assigned_move_id END
      WHERE l.session_id = NEW.id
        AND (l.title_was_null, l.assigned_move_id)
            IS DISTINCT FROM (legacy_title IS NULL, CASE WHEN legacy_move IS NULL THEN l.assigned_move_id END);
    END IF;
  END IF;`,
);

/** The per-row reverse sync of messages as this migration creates it (statement-sync-sql.ts's down puts it back). */
export const reverseMessage = syncTrigger(
  'legacy_chat_sync_reverse_message',
  'Reverse sync: a new-app write of messages, applied to chat_messages (the fields the legacy shape holds).',
  `  was_null boolean;
  legacy_content text;
`,
  `  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
    DELETE FROM public.chat_messages cm WHERE cm.id = OLD.id;
    DELETE FROM public.legacy_chat_moved_messages lm WHERE lm.message_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT lm.content_was_null INTO was_null FROM public.legacy_chat_moved_messages lm WHERE lm.message_id = NEW.id;
    legacy_content := ${mapSql.legacyContent('NEW.content', 'was_null')};
    INSERT INTO public.chat_messages AS cm (id, ${legacyMessageColumns.join(', ')})
    VALUES (NEW.id, NEW.conversation_id, ${mapSql.legacyRole('NEW.author_type')}, legacy_content,
      NEW.tool_calls, NEW.metadata, NEW.reasoning, NEW.model, ${mapSql.legacyTimestamp('NEW.created_at')})
    ON CONFLICT (id) ${upsertSet('cm', legacyMessageColumns)};
    IF was_null IS NOT NULL AND was_null <> (legacy_content IS NULL) THEN
      UPDATE public.legacy_chat_moved_messages lm SET content_was_null = legacy_content IS NULL
      WHERE lm.message_id = NEW.id;
    END IF;
  END IF;`,
);

/** The WHEN clause of each sync trigger: only writes not marked as the sync's, and for conversations' UPDATE only a change of what the legacy shape holds. */
const legacyConversationColumns = ['id', ...syncedConversationColumns];
export const syncTriggerEvent = (table: string, trigger: string) =>
  table !== 'conversations'
    ? { events: 'INSERT OR UPDATE OR DELETE', when: `NOT ${marked}` }
    : trigger === 'legacy_chat_sync_reverse_update'
      ? {
          events: 'UPDATE',
          when: `(${legacyConversationColumns.map((c) => `OLD.${c}`).join(', ')})
      IS DISTINCT FROM (${legacyConversationColumns.map((c) => `NEW.${c}`).join(', ')}) AND NOT ${marked}`,
        }
      : { events: 'INSERT OR DELETE', when: `NOT ${marked}` };

/** legacy_chat_sync_install/_uninstall as this migration creates them (statement-sync-sql.ts's down puts them back). */
export const guardedInstall = `-- Creates the sync's triggers and the guard's log triggers; the drop removes them
-- (legacy_chat_sync_uninstall) and its down file calls this again, so undoing the drop brings the sync
-- back with the tables. The WHEN clause skips writes made by the other direction (or by the mover)
-- before any function is called or event queued.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_install"() RETURNS void
LANGUAGE plpgsql ${pinned} AS $sync$
BEGIN
${guardedSyncTriggers
  .map(([table, trigger, fn]) => {
    const { events, when } = syncTriggerEvent(table, trigger);
    return `  CREATE TRIGGER "${trigger}" AFTER ${events} ON "public"."${table}"
    FOR EACH ROW WHEN (${when})
    EXECUTE FUNCTION "conversations_cutover"."${fn}"();`;
  })
  .join('\n')}
${installGuardLog}
END
$sync$;${breakpoint}${renderSyncUninstall(guardedSyncTriggers)}`;

/**
 * legacy_chat_sync_uninstall(): drops `triggers` (each where its table still exists) and the guard's log
 * triggers. One renderer for 0015's per-row sync and the statement-level sync that replaced it.
 */
export function renderSyncUninstall(triggers: readonly (readonly [string, string, ...string[]])[]): string {
  return `CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_uninstall"() RETURNS void
LANGUAGE plpgsql ${pinned} AS $sync$
BEGIN
${triggers
  .map(
    ([table, trigger]) => `  IF pg_catalog.to_regclass('public.${table}') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "${trigger}" ON "public"."${table}";
  END IF;`,
  )
  .join('\n')}
${uninstallGuardLog}
END
$sync$;`;
}

/** conversations.updated_at is stamped on UPDATE (0002) unless the sync or the mover copies a legacy value. */
export const touchUpdatedAtWithSync = `-- The sync copies each legacy session's own updated_at, as the mover does: while it writes, the
-- stamp of 0002 keeps the value it was given.
CREATE OR REPLACE FUNCTION "public"."conversations_touch_updated_at"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at AND NOT ${marked} THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;`;

/** Functions only the owner calls (REVOKE from PUBLIC); the trigger functions and legacy_chat_sync_marked stay callable. */
const functionNames = [
  'legacy_chat_sync_drop_copy(uuid)',
  'legacy_chat_sync_move_messages_of(uuid)',
  'legacy_chat_sync_archive_message(uuid, uuid, jsonb)',
  'legacy_chat_differences(boolean)',
  'legacy_chat_differences_among(boolean, uuid[], uuid[])',
  'legacy_chat_sync_install()',
  'legacy_chat_sync_uninstall()',
  'legacy_chat_sync_mark()',
  'legacy_chat_guard_log_state()',
  'legacy_chat_guard_log_since(pg_snapshot)',
];

/** The functions this migration adds to those of the applied sync migration (its down drops them). */
const addedFunctions = [
  'legacy_chat_differences_among(boolean, uuid[], uuid[])',
  'legacy_chat_sync_marked()',
  'legacy_chat_sync_mark()',
  ...guardLogFunctionNames,
];

/**
 * The whole custom migration, exactly as drizzle/<n>_legacy_chat_sync_guarded.sql holds it: every sync
 * function as this file defines it now (CREATE OR REPLACE over those of the applied
 * <n>_legacy_chat_sync.sql, which stays as it was applied), the marker, the guard's log, the triggers again.
 */
export function renderCutoverSyncMigration(): string {
  return `${[
    `-- Custom migration, generated from src/operator/cutover/sync-sql.ts (npm run cutover:sql -- --write; do not edit by
-- hand): the sync of the expand step as it is now (drizzle/<n>${appliedSyncMigrationSuffix} created it and
-- stays as it was applied). From the expand step until the drop, every write of the old app to
-- chat_sessions / chat_messages reaches the new tables, and every write of the new app to conversations /
-- messages reaches the legacy tables, in the same transaction, under the mapping of
-- src/operator/legacy-move/mapping.ts. A write made by one direction sets ${syncingSetting} to a token only the
-- sync can read, and the other direction skips it: no ping-pong, and no bypass by setting it by hand.
-- Every write to the tables the equality check reads is logged for the drop's guard (guard-log-sql.ts).
${marker}`,
    guardLogSql,
    helpers,
    forwardSession,
    forwardMessage,
    reverseConversation,
    reverseMessage,
    differencesSql,
    guardedInstall,
    touchUpdatedAtWithSync,
    ...functionNames.map(
      (f) => `REVOKE ALL ON FUNCTION "conversations_cutover".${f.replace(/^([a-z_]+)/, '"$1"')} FROM PUBLIC;`,
    ),
    'SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();',
    'SELECT "conversations_cutover"."legacy_chat_sync_install"();',
  ].join(breakpoint)}\n`;
}

/**
 * The down of that migration, derived from the applied sync migration's text: the triggers go, the
 * functions it created come back as they were applied (CREATE OR REPLACE), what it added goes, and the
 * sync of the applied migration is installed again.
 */
export function renderCutoverSyncDown(appliedSync: string): string {
  const statements = appliedSync.trimEnd().split(breakpoint);
  const reinstall = statements.pop();
  if (!statements[0]?.includes('CREATE SCHEMA') || !reinstall?.includes('legacy_chat_sync_install')) {
    throw new Error(`the applied sync migration does not start with its schema and end with its install`);
  }
  const restored = statements
    .slice(1)
    .map((statement) =>
      statement.replace(
        'CREATE FUNCTION "conversations_cutover"',
        'CREATE OR REPLACE FUNCTION "conversations_cutover"',
      ),
    );
  return `${[
    `-- Down of <n>_legacy_chat_sync_guarded, generated from drizzle/<n>${appliedSyncMigrationSuffix} by
-- src/operator/cutover/sync-sql.ts (npm run cutover:sql -- --write): the sync's and the guard log's triggers go,
-- the functions come back exactly as the applied sync migration created them, the marker and the log go,
-- and that migration's sync is installed again. No row of the two shapes changes.
SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();`,
    ...restored,
    ...addedFunctions.map((f) => `DROP FUNCTION "conversations_cutover".${f.replace(/^([a-z_]+)/, '"$1"')};`),
    'DROP TABLE "conversations_cutover"."legacy_chat_guard_log";',
    'DROP TABLE "conversations_cutover"."legacy_chat_sync_key";',
    reinstall,
  ].join(breakpoint)}\n`;
}

/** The migration's file name ends so; its number is wherever the journal puts it (before the drop). */
export const cutoverSyncMigrationSuffix = '_legacy_chat_sync_guarded.sql';
/** The sync migration as first applied (left as it was: databases past the expand step hold its hash). */
export const appliedSyncMigrationSuffix = '_legacy_chat_sync.sql';
