import { inferredOwnersSql, mapSql, orphanArchiveReason } from '../legacy-move/mapping.js';
import { syncingSetting } from './syncing-setting.js';

// Renders drizzle/<n>_legacy_chat_sync.sql (the custom migration of the expand step that keeps the
// legacy and the new tables equal from then until the drop) from the one mapping in
// src/operator/legacy-move/mapping.ts. `npm run cutover:sql -- --write` rewrites the migration from this file;
// test/cutover-sql.test.ts fails when they differ. Every function pins search_path to pg_catalog,
// pg_temp and names public objects in full, so nothing a hostile role puts in public is called.

/** The four sync triggers: [table, trigger name, function]. */
export const syncTriggers = [
  ['chat_sessions', 'legacy_chat_sync_forward', 'legacy_chat_sync_forward_session'],
  ['chat_messages', 'legacy_chat_sync_forward', 'legacy_chat_sync_forward_message'],
  ['conversations', 'legacy_chat_sync_reverse', 'legacy_chat_sync_reverse_conversation'],
  ['messages', 'legacy_chat_sync_reverse', 'legacy_chat_sync_reverse_message'],
] as const;

const pinned = 'SET search_path = pg_catalog, pg_temp';
const breakpoint = '\n--> statement-breakpoint\n';
const q = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The body of a trigger function that mirrors a write, skipping writes made by the other direction. */
function syncTrigger(name: string, comment: string, declarations: string, body: string): string {
  return `-- ${comment}
CREATE FUNCTION "conversations_cutover"."${name}"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER ${pinned} AS $sync$
DECLARE
  outer_sync text := pg_catalog.current_setting(${q(syncingSetting)}, true);
${declarations}BEGIN
  IF outer_sync = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config(${q(syncingSetting)}, 'on', true);
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
const legacySessionColumns = [
  'move_id',
  'title',
  'created_at',
  'updated_at',
  'agent_mail_inbox_id',
  'agent_mail_email_address',
];
const legacyMessageColumns = [
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
function upsertSet(alias: string, columns: string[]): string {
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

/** The equality of a legacy session (cs, ledger l) and its conversation (c), under the mapping. */
const sessionEqualsConversation = `(c.move_id, c.title, c.agent_mail_inbox_id, c.agent_mail_email_address, c.created_at, c.updated_at)
          IS NOT DISTINCT FROM (${mapSql.moveId('cs.move_id', 'l.assigned_move_id')}, ${mapSql.title('cs.title')},
            cs.agent_mail_inbox_id, cs.agent_mail_email_address, ${mapSql.utc('cs.created_at')}, ${mapSql.utc('cs.updated_at')})
          AND (COALESCE(l.title_was_null, false), l.assigned_move_id)
            IS NOT DISTINCT FROM (cs.title IS NULL, CASE WHEN cs.move_id IS NULL THEN l.assigned_move_id END)`;

/**
 * The equality of a legacy message (cm) and its copy (m), under the mapping. The ledger's
 * content_was_null matters only where the copy's content is the replacement (''): looked up there
 * alone, so the check joins two tables of a million rows, not three.
 */
const messageEqualsCopy = `(m.conversation_id, m.author_type, m.content, m.tool_calls, m.reasoning, m.model, m.metadata, m.created_at)
          IS NOT DISTINCT FROM (cm.session_id, ${mapSql.authorType('cm.role')}, ${mapSql.content('cm.content')},
            cm.tool_calls, cm.reasoning, cm.model, cm.metadata, ${mapSql.utc('cm.created_at')})
          AND (m.content <> ${mapSql.content('NULL')} OR COALESCE((SELECT lm.content_was_null
            FROM public.legacy_chat_moved_messages lm WHERE lm.message_id = m.id), false) = (cm.content IS NULL))`;

const helpers = `-- The move's copy of a legacy session goes (its messages, participants and ledger rows with it).
CREATE FUNCTION "conversations_cutover"."legacy_chat_sync_drop_copy"(target_session uuid) RETURNS void
LANGUAGE sql ${pinned} AS $sync$
  DELETE FROM public.legacy_chat_moved_messages lm USING public.messages m
  WHERE m.id = lm.message_id AND m.conversation_id = target_session;
  DELETE FROM public.conversations c WHERE c.id = target_session;
$sync$;${breakpoint}-- Every legacy message of a session that just became a conversation, moved as the mover moves them.
CREATE FUNCTION "conversations_cutover"."legacy_chat_sync_move_messages_of"(target_session uuid) RETURNS void
LANGUAGE sql ${pinned} AS $sync$
  ${messageInsert}
  SELECT ${messageValues('cm')}
  FROM public.chat_messages cm WHERE cm.session_id = target_session
  ON CONFLICT (id) ${upsertSet('m', syncedMessageColumns)};
  INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null)
  SELECT cm.id, cm.content IS NULL FROM public.chat_messages cm WHERE cm.session_id = target_session
  ON CONFLICT (message_id) ${upsertSet('lm', ['content_was_null'])};
$sync$;${breakpoint}-- An archived orphan's message changed: rewrite the archive's array without scanning chat_messages.
CREATE FUNCTION "conversations_cutover"."legacy_chat_sync_archive_message"(target_session uuid, target_message uuid, image jsonb) RETURNS void
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

const reverseMessage = syncTrigger(
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

const differences = `-- The one definition of "the legacy and the new tables are equal under the mapping" (and of
-- "accounted for"): every row that breaks it, with the reason (src/cutover/differences.ts names them).
-- chats:validate reports these rows; the drop's guard refuses while there is one.
-- keep_orphans: orphan sessions left in chat_sessions (chats:migrate --orphans=keep) count as accounted for.
-- jit off and work_mem 64MB: measured at 300k messages, JIT compiling this one-off query cost more than
-- running it, and the hash of the full join of messages fits in memory instead of 16 batches on disk.
-- The drop runs it while it holds its locks (BENCHMARKS.md, "The cutover sync", has the time at 1M).
CREATE FUNCTION "conversations_cutover"."legacy_chat_differences"(keep_orphans boolean)
RETURNS TABLE (subject text, id uuid, problem text)
LANGUAGE sql STABLE ${pinned} SET jit = off SET work_mem = '64MB' AS $sync$
  SELECT d.subject, d.id, d.problem FROM (
    SELECT 'session'::text AS subject, cs.id, CASE
        WHEN a.session_id IS NOT NULL AND (c.id IS NOT NULL OR l.session_id IS NOT NULL) THEN 'moved-and-archived'
        WHEN c.id IS NOT NULL THEN
          CASE WHEN ${sessionEqualsConversation} THEN NULL ELSE 'session-different' END
        WHEN cs.move_id IS NOT NULL OR l.session_id IS NOT NULL THEN
          CASE WHEN a.session_id IS NOT NULL THEN 'archive-different' ELSE 'session-missing' END
        WHEN a.session_id IS NOT NULL THEN
          CASE WHEN (a.session, a.messages) IS NOT DISTINCT FROM (${mapSql.archiveRow('cs')}, COALESCE(g.messages, '[]'::jsonb))
               THEN NULL ELSE 'archive-different' END
        WHEN keep_orphans THEN NULL
        ELSE 'orphan-not-archived'
      END AS problem
    FROM public.chat_sessions cs
    LEFT JOIN public.legacy_chat_moved_sessions l ON l.session_id = cs.id
    LEFT JOIN public.conversations c ON c.id = cs.id
    LEFT JOIN public.chat_session_archive a ON a.session_id = cs.id
    LEFT JOIN (
      SELECT cm.session_id, ${mapSql.archiveMessages('cm')} AS messages
      FROM public.chat_messages cm
      WHERE cm.session_id IN (SELECT x.session_id FROM public.chat_session_archive x)
      GROUP BY cm.session_id
    ) g ON g.session_id = cs.id
    UNION ALL
    SELECT 'conversation'::text, c.id, 'conversation-without-session'::text FROM public.conversations c
    WHERE NOT EXISTS (SELECT 1 FROM public.chat_sessions cs WHERE cs.id = c.id)
    UNION ALL
    SELECT 'archive'::text, a.session_id, 'conversation-without-session'::text FROM public.chat_session_archive a
    WHERE NOT EXISTS (SELECT 1 FROM public.chat_sessions cs WHERE cs.id = a.session_id)
    UNION ALL
    -- A copy's conversation is its legacy session's id (checked above), so the sessions need looking
    -- up only for the few legacy messages without a copy.
    SELECT 'message'::text, COALESCE(cm.id, m.id), CASE
        WHEN cm.id IS NULL THEN 'message-without-legacy'
        WHEN m.id IS NULL THEN CASE
          WHEN EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = cm.session_id) THEN 'message-missing'
          WHEN NOT EXISTS (SELECT 1 FROM public.chat_sessions s WHERE s.id = cm.session_id) THEN 'message-without-session'
          WHEN EXISTS (SELECT 1 FROM public.chat_sessions s WHERE s.id = cm.session_id AND s.move_id IS NOT NULL)
            THEN 'message-missing'
        END
        WHEN ${messageEqualsCopy} THEN NULL
        ELSE 'message-different'
      END
    FROM public.chat_messages cm
    FULL JOIN public.messages m ON m.id = cm.id
  ) d
  WHERE d.problem IS NOT NULL;
$sync$;`;

const install = `-- Creates the four sync triggers; the drop removes them (legacy_chat_sync_uninstall) and its down
-- file calls this again, so undoing the drop brings the sync back with the tables. The WHEN clause skips
-- writes made by the other direction (or by the mover) before any function is called or event queued.
CREATE FUNCTION "conversations_cutover"."legacy_chat_sync_install"() RETURNS void
LANGUAGE plpgsql ${pinned} AS $sync$
BEGIN
${syncTriggers
  .map(
    ([table, trigger, fn]) =>
      `  CREATE TRIGGER "${trigger}" AFTER INSERT OR UPDATE OR DELETE ON "public"."${table}"
    FOR EACH ROW WHEN (pg_catalog.current_setting(${q(syncingSetting)}, true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION "conversations_cutover"."${fn}"();`,
  )
  .join('\n')}
END
$sync$;${breakpoint}CREATE FUNCTION "conversations_cutover"."legacy_chat_sync_uninstall"() RETURNS void
LANGUAGE plpgsql ${pinned} AS $sync$
BEGIN
${syncTriggers
  .map(
    ([table, trigger]) => `  IF pg_catalog.to_regclass('public.${table}') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS "${trigger}" ON "public"."${table}";
  END IF;`,
  )
  .join('\n')}
END
$sync$;`;

/** conversations.updated_at is stamped on UPDATE (0002) unless the sync or the mover copies a legacy value. */
export const touchUpdatedAtWithSync = `-- The sync copies each legacy session's own updated_at, as the mover does: while it writes, the
-- stamp of 0002 keeps the value it was given.
CREATE OR REPLACE FUNCTION "public"."conversations_touch_updated_at"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
     AND pg_catalog.current_setting(${q(syncingSetting)}, true) IS DISTINCT FROM 'on' THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;`;

const functionNames = [
  'legacy_chat_sync_drop_copy(uuid)',
  'legacy_chat_sync_move_messages_of(uuid)',
  'legacy_chat_sync_archive_message(uuid, uuid, jsonb)',
  'legacy_chat_differences(boolean)',
  'legacy_chat_sync_install()',
  'legacy_chat_sync_uninstall()',
];

/** The whole custom migration, exactly as drizzle/<n>_legacy_chat_sync.sql holds it. */
export function renderCutoverSyncMigration(): string {
  return `${[
    `-- Custom migration, generated from src/cutover/sync-sql.ts (npm run cutover:sql -- --write; do not edit by
-- hand): from the expand step until the drop, every write of the old app to chat_sessions / chat_messages
-- reaches the new tables, and every write of the new app to conversations / messages reaches the legacy
-- tables, in the same transaction, under the mapping of src/legacy-move/mapping.ts. A write made by one
-- direction sets ${syncingSetting} for its transaction, and the other direction skips it: no ping-pong.
-- The functions live in a schema of their own, where only the migrating role may create objects: in
-- public, a role with CREATE there could plant an overload (an extra parameter with a default) that
-- makes every call ambiguous or takes it over.
CREATE SCHEMA "conversations_cutover";${breakpoint}${helpers}`,
    forwardSession,
    forwardMessage,
    reverseConversation,
    reverseMessage,
    differences,
    install,
    touchUpdatedAtWithSync,
    ...functionNames.map(
      (f) => `REVOKE ALL ON FUNCTION "conversations_cutover".${f.replace(/^([a-z_]+)/, '"$1"')} FROM PUBLIC;`,
    ),
    'SELECT "conversations_cutover"."legacy_chat_sync_install"();',
  ].join(breakpoint)}\n`;
}

/** The migration's file name ends so; its number is wherever the journal puts it (before the drop). */
export const cutoverSyncMigrationSuffix = '_legacy_chat_sync.sql';
