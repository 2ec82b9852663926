import { mapSql } from '../legacy-move/mapping.js';
import { installGuardLog } from './guard-log-sql.js';
import {
  guardedInstall,
  guardedSyncTriggers,
  legacyMessageColumns,
  legacySessionColumns,
  pinned,
  renderSyncUninstall,
  reverseMessage,
  syncTrigger,
  syncTriggerEvent,
  upsertSet,
} from './sync-sql.js';

// The reverse sync of messages (and of conversations' INSERT and DELETE) at statement level (issue 12,
// the move's speed), rendered into
// drizzle/<n>_legacy_chat_sync_statement_level.sql (npm run cutover:sql -- --write), a migration of the
// expand step after the sync's.
//
// Why: 0015's per-row trigger on messages asked legacy_chat_sync_marked() in its WHEN once per row
// written, ~17 us a row, so ~85 ms of each 5000-row batch of chats:migrate (whose writes are marked and
// skipped anyway). Here one trigger per event asks once per statement, with transition tables, and mirrors
// the statement's rows set-based; so do conversations' INSERT and DELETE (the mover inserts one
// conversation per legacy session). The marker keeps its meaning: only the sync, the mover and the rollback
// (through the owner's legacy_chat_sync_mark()) set it to the token, and the sync's own functions set it
// and put it back within each statement, so its value at the end of a statement is the one its rows were
// written under. The guard log's triggers already keep the same transition tables (PostgreSQL fills them
// once per table and event for every trigger that asks), so the rows are not captured twice.

/** The sync's triggers now: [table, trigger name, function] (chats:status checks each one). */
export const syncTriggers = [
  ...guardedSyncTriggers.filter(([table]) => table !== 'messages' && table !== 'conversations'),
  ['conversations', 'legacy_chat_sync_reverse', 'legacy_chat_sync_reverse_conversations'],
  ['conversations', 'legacy_chat_sync_reverse_delete', 'legacy_chat_sync_reverse_conversations'],
  ['conversations', 'legacy_chat_sync_reverse_update', 'legacy_chat_sync_reverse_conversation'],
  ['messages', 'legacy_chat_sync_reverse', 'legacy_chat_sync_reverse_message'],
  ['messages', 'legacy_chat_sync_reverse_update', 'legacy_chat_sync_reverse_message'],
  ['messages', 'legacy_chat_sync_reverse_delete', 'legacy_chat_sync_reverse_message'],
] as const;

const breakpoint = '\n--> statement-breakpoint\n';

/**
 * The statement-level triggers: [table, trigger, event, transition tables, function]. Transition tables
 * allow one event per trigger; each INSERT keeps 0015's trigger name. conversations' UPDATE stays per row:
 * its WHEN compares the columns the legacy shape holds first, so a counters bump never asks the marker.
 */
const statementTriggers = [
  [
    'conversations',
    'legacy_chat_sync_reverse',
    'INSERT',
    'REFERENCING NEW TABLE AS new_rows',
    'legacy_chat_sync_reverse_conversations',
  ],
  [
    'conversations',
    'legacy_chat_sync_reverse_delete',
    'DELETE',
    'REFERENCING OLD TABLE AS old_rows',
    'legacy_chat_sync_reverse_conversations',
  ],
  [
    'messages',
    'legacy_chat_sync_reverse',
    'INSERT',
    'REFERENCING NEW TABLE AS new_rows',
    'legacy_chat_sync_reverse_message',
  ],
  [
    'messages',
    'legacy_chat_sync_reverse_update',
    'UPDATE',
    'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows',
    'legacy_chat_sync_reverse_message',
  ],
  [
    'messages',
    'legacy_chat_sync_reverse_delete',
    'DELETE',
    'REFERENCING OLD TABLE AS old_rows',
    'legacy_chat_sync_reverse_message',
  ],
] as const;

const legacyContent = mapSql.legacyContent('n.content', 'lm.content_was_null');

/**
 * What the reverse sync leaves in the ledger for a message the new app deleted (or gave another id):
 * 'forget' deletes its ledger row, as this migration first did; 'tombstone' keeps it, or writes one,
 * as the forward sync does for an old-app delete (reverse-tombstones, below).
 */
type DeletedMessages = 'forget' | 'tombstone';

function renderReverseMessages(deleted: DeletedMessages): string {
  const forget = deleted === 'forget';
  const deleteBranch = forget
    ? `    DELETE FROM public.chat_messages cm USING old_rows o WHERE cm.id = o.id;
    DELETE FROM public.legacy_chat_moved_messages lm USING old_rows o WHERE lm.message_id = o.id;`
    : `    DELETE FROM public.chat_messages cm USING old_rows o WHERE cm.id = o.id;
    -- The ledger row stays, or is written, as a tombstone (as for an old-app delete): a chats:migrate
    -- batch that read the legacy message before this delete and inserts its copy now meets that row
    -- (the copy it would meet in messages is gone), so it reads again and no longer sees the message.
    INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null)
    SELECT o.id, false FROM old_rows o
    ON CONFLICT (message_id) DO NOTHING;`;
  const renamedBranch = forget
    ? `      -- A message whose id changed: the old id's legacy row and ledger row go.
      DELETE FROM public.chat_messages cm USING old_rows o
      WHERE cm.id = o.id AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id);
      DELETE FROM public.legacy_chat_moved_messages lm USING old_rows o
      WHERE lm.message_id = o.id AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id);`
    : `      -- A message whose id changed: the old id's legacy row goes, its ledger row stays as a tombstone.
      DELETE FROM public.chat_messages cm USING old_rows o
      WHERE cm.id = o.id AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id);
      INSERT INTO public.legacy_chat_moved_messages AS lm (message_id, content_was_null)
      SELECT o.id, false FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id)
      ON CONFLICT (message_id) DO NOTHING;`;
  return syncTrigger(
    'legacy_chat_sync_reverse_message',
    forget
      ? 'Reverse sync: a new-app statement writing messages, applied to chat_messages (the fields the legacy shape holds), its rows at once.'
      : 'Reverse sync: a new-app statement writing messages, applied to chat_messages (the fields the legacy shape holds), its rows at once; a deleted message leaves its ledger row as a tombstone.',
    '',
    `  IF TG_OP = 'DELETE' THEN
${deleteBranch}
  ELSE
    IF TG_OP = 'UPDATE' THEN
${renamedBranch}
    END IF;
    -- The ledger says which content was NULL; nothing here changes it before the UPDATE that follows.
    INSERT INTO public.chat_messages AS cm (id, ${legacyMessageColumns.join(', ')})
    SELECT n.id, n.conversation_id, ${mapSql.legacyRole('n.author_type')}, ${legacyContent},
      n.tool_calls, n.metadata, n.reasoning, n.model, ${mapSql.legacyTimestamp('n.created_at')}
    FROM new_rows n LEFT JOIN public.legacy_chat_moved_messages lm ON lm.message_id = n.id
    ON CONFLICT (id) ${upsertSet('cm', legacyMessageColumns)};
    UPDATE public.legacy_chat_moved_messages lm SET content_was_null = ${legacyContent} IS NULL
    FROM new_rows n
    WHERE lm.message_id = n.id AND lm.content_was_null <> (${legacyContent} IS NULL);
  END IF;`,
  );
}

/** The reverse sync of messages as this migration created it (reverse-tombstones' down puts it back). */
const reverseMessages = renderReverseMessages('forget');

const legacyMove = mapSql.legacyMoveId('n.move_id', 'l.assigned_move_id');
const legacyTitle = mapSql.legacyTitle('n.title', 'l.title_was_null');
const keptMove = `CASE WHEN ${legacyMove} IS NULL THEN l.assigned_move_id END`;

/** conversations' INSERT and DELETE, as 0015's per-row function does them, the statement's rows at once. */
const reverseConversations = syncTrigger(
  'legacy_chat_sync_reverse_conversations',
  'Reverse sync: a new-app statement inserting or deleting conversations, applied to chat_sessions (the fields the legacy shape holds), its rows at once.',
  '',
  `  IF TG_OP = 'DELETE' THEN
    BEGIN
      DELETE FROM public.chat_sessions cs USING old_rows o WHERE cs.id = o.id;
    EXCEPTION WHEN foreign_key_violation THEN
      -- Legacy messages the sync did not reach (it was off): they go with their session.
      DELETE FROM public.chat_messages cm USING old_rows o WHERE cm.session_id = o.id;
      DELETE FROM public.chat_sessions cs USING old_rows o WHERE cs.id = o.id;
    END;
  ELSE
    INSERT INTO public.chat_sessions AS cs (id, ${legacySessionColumns.join(', ')})
    SELECT n.id, ${legacyMove}, ${legacyTitle}, ${mapSql.legacyTimestamp('n.created_at')},
      ${mapSql.legacyTimestamp('n.updated_at')}, n.agent_mail_inbox_id, n.agent_mail_email_address
    FROM new_rows n LEFT JOIN public.legacy_chat_moved_sessions l ON l.session_id = n.id
    ON CONFLICT (id) ${upsertSet('cs', legacySessionColumns)};
    UPDATE public.legacy_chat_moved_sessions l
    SET title_was_null = ${legacyTitle} IS NULL, assigned_move_id = ${keptMove}
    FROM new_rows n
    WHERE l.session_id = n.id AND (l.title_was_null, l.assigned_move_id) IS DISTINCT FROM (${legacyTitle} IS NULL, ${keptMove});
  END IF;`,
);

/** A row-level trigger of 0015, created as 0015's install creates it. */
const rowTrigger = (table: string, trigger: string, fn: string) => {
  const { events, when } = syncTriggerEvent(table, trigger);
  return `  CREATE TRIGGER "${trigger}" AFTER ${events} ON "public"."${table}"
    FOR EACH ROW WHEN (${when})
    EXECUTE FUNCTION "conversations_cutover"."${fn}"();`;
};

const install = `-- Creates the sync's triggers and the guard's log triggers, as 0015's did, but messages' reverse sync
-- at statement level (its function checks the marker once per statement). The drop removes them
-- (legacy_chat_sync_uninstall) and its down file calls this again.
CREATE OR REPLACE FUNCTION "conversations_cutover"."legacy_chat_sync_install"() RETURNS void
LANGUAGE plpgsql ${pinned} AS $sync$
BEGIN
${guardedSyncTriggers
  .filter(([table, trigger]) => table.startsWith('chat_') || trigger === 'legacy_chat_sync_reverse_update')
  .map(([table, trigger, fn]) => rowTrigger(table, trigger, fn))
  .join('\n')}
${statementTriggers
  .map(
    ([
      table,
      trigger,
      event,
      referencing,
      fn,
    ]) => `  CREATE TRIGGER "${trigger}" AFTER ${event} ON "public"."${table}"
    ${referencing} FOR EACH STATEMENT
    EXECUTE FUNCTION "conversations_cutover"."${fn}"();`,
  )
  .join('\n')}
${installGuardLog}
END
$sync$;${breakpoint}${renderSyncUninstall(syncTriggers)}`;

/** The migration, exactly as drizzle/<n>_legacy_chat_sync_statement_level.sql holds it. */
export function renderStatementSyncMigration(): string {
  return `${[
    `-- Custom migration, generated from src/operator/cutover/statement-sync-sql.ts (npm run cutover:sql -- --write;
-- do not edit by hand): the reverse sync of messages fires once per statement instead of once per row
-- (its marker check was ~85 ms of each 5000-row batch of chats:migrate), and so do conversations' INSERT
-- and DELETE (once per session the mover writes); rows mirrored set-based.
${reverseMessages}`,
    reverseConversations,
    install,
    'SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();',
    'SELECT "conversations_cutover"."legacy_chat_sync_install"();',
  ].join(breakpoint)}\n`;
}

/** Its down: the triggers go, the per-row function and 0015's install come back, and it runs. No row changes. */
export function renderStatementSyncDown(): string {
  return `${[
    `-- Down of <n>_legacy_chat_sync_statement_level, generated from src/operator/cutover/statement-sync-sql.ts
-- (npm run cutover:sql -- --write): messages' and conversations' reverse sync per row again, as 0015_legacy_chat_sync_guarded
-- created it. No row changes.
SELECT "conversations_cutover"."legacy_chat_sync_uninstall"();`,
    reverseMessage,
    guardedInstall,
    'DROP FUNCTION "conversations_cutover"."legacy_chat_sync_reverse_conversations"();',
    'SELECT "conversations_cutover"."legacy_chat_sync_install"();',
  ].join(breakpoint)}\n`;
}

/** The migration's file name ends so; the journal puts it before the drop. */
export const statementSyncMigrationSuffix = '_legacy_chat_sync_statement_level.sql';

/**
 * drizzle/<n>_legacy_chat_sync_reverse_tombstones.sql: the reverse sync of messages as above, but a
 * message the new app deletes leaves its ledger row (or a new one) as a tombstone, as an old-app delete
 * always did. Without it a first run's batch that read the legacy message before the delete put its copy
 * back: the plain INSERT met only the dead copy in messages (test/legacy-move-first-run.test.ts). The
 * triggers stay as they are; only the function changes. chats:migrate clears tombstones before go-live.
 */
export function renderReverseTombstonesMigration(): string {
  return `-- Custom migration, generated from src/operator/cutover/statement-sync-sql.ts (npm run cutover:sql -- --write;
-- do not edit by hand): a message the new app deletes leaves its ledger row in legacy_chat_moved_messages
-- as a tombstone, as an old-app delete does, so a chats:migrate batch that read its legacy message before
-- the delete does not put the copy back.
${renderReverseMessages('tombstone')}\n`;
}

/** Its down: the function as the statement-level sync migration created it. No row changes. */
export function renderReverseTombstonesDown(): string {
  return `-- Down of <n>_legacy_chat_sync_reverse_tombstones, generated from src/operator/cutover/statement-sync-sql.ts
-- (npm run cutover:sql -- --write): the reverse sync of messages forgets a deleted message's ledger row again,
-- as <n>${statementSyncMigrationSuffix} created it. No row changes (tombstones already written stay; chats:migrate
-- clears them before go-live).
${reverseMessages}\n`;
}

/** The migration's file name ends so; the journal puts it before the drop. */
export const reverseTombstonesMigrationSuffix = '_legacy_chat_sync_reverse_tombstones.sql';
