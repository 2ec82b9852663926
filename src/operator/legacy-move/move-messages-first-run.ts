import { type SQL, sql } from 'drizzle-orm';
import { type DatabaseTransaction, queryRow } from '../../app/database.js';
import { type BlockRange, inBlocks } from './block-range.js';
import { databaseErrorOf } from './errors.js';
import { asUtc, nullContentReplacement } from './mapping.js';
import { authorType, type MessageBatchCounts, withdrawCopiesOfDeleted } from './move-messages.js';

/**
 * moveMessageBatch for a first run (the ledger was empty when the run began): the same copies and
 * ledger rows, without its two primary-key probes per legacy message (into messages and the ledger)
 * that only serve to find copies to rewrite. A first run has none: before it nothing was moved, the
 * sync keeps every copy it or this run wrote equal to its legacy message, and a copy the sync missed
 * (it was off) is the next run's to rewrite, as a copy stale after its batch already is.
 *
 * Every legacy message of a moved session goes in by INSERT ... ON CONFLICT DO NOTHING, and a ledger
 * row is written only for the copies this statement inserted, so whatever else holds the id is left
 * alone: the sync's copy (it wrote its own ledger row), or the new app's message that the reverse sync
 * wrote back into chat_messages (a message born new has no ledger row, and must not get one). The
 * sync's tombstone (an old-app delete of a message this statement read) is met as in moveMessageBatch:
 * the ledger insert finds it and does nothing, and the copy is withdrawn by a later statement that
 * sees the delete.
 */
export async function moveFirstRunMessageBatch(
  tx: DatabaseTransaction,
  blocks: BlockRange,
): Promise<MessageBatchCounts> {
  // Almost every batch meets no row another writer put at one of its ids: plain INSERTs then, without
  // ON CONFLICT's speculative insertion (8% of the batch's backend CPU at 500k messages). A batch that
  // meets one (the sync's copy or tombstone, a new-app message written back) fails on the unique key,
  // rolls back to its savepoint (nothing of it stays) and runs the statement below, which leaves
  // such rows alone. The savepoint is the driver's nested transaction: postgres.js fails the whole
  // transaction on a failed query it did not run in one.
  try {
    const plain = await tx.transaction((savepoint) =>
      queryRow<{ inserted: number }>(
        savepoint,
        sql`
      with src as (${sources(blocks)}),
      inserted as (${insertCopies(sql``)}),
      ledger_inserted as (
        insert into legacy_chat_moved_messages (message_id, content_was_null)
        select s.id, s.content_was_null from src s
      )
      select (select count(*) from inserted)::int as inserted`,
      ),
    );
    return { messagesInserted: plain.inserted, messagesUpdated: 0, sources: plain.inserted };
  } catch (error) {
    if (databaseErrorOf(error)?.code !== uniqueViolation) throw error;
  }
  const written = await queryRow<{ inserted: number; sources: number; tombstoned: string[] }>(
    tx,
    sql`
    with src as (${sources(blocks)}),
    inserted as (${insertCopies(sql`on conflict (id) do nothing`)}),
    ledger_inserted as (
      insert into legacy_chat_moved_messages (message_id, content_was_null)
      select s.id, s.content_was_null from src s
      -- IS TRUE keeps the IN a hashed subplan: as a semi-join it would be a nested loop (hash joins
      -- are off for the batch), 5000 x 5000 comparisons.
      where (s.id in (select i.id from inserted i)) is true
      on conflict (message_id) do nothing
      returning message_id
    )
    select (select count(*) from inserted)::int as inserted, (select count(*) from src)::int as sources,
           -- Inserted, but the ledger insert met a row: the sync's tombstone (the ledger was empty when
           -- the run began, and the only other writer of a ledger row without its copy is the sync's
           -- delete). pg_catalog's array_agg, as in moveMessageBatch (security-planted-objects).
           (select coalesce(pg_catalog.array_agg(i.id::text), '{}') from inserted i
             where i.id not in (select l.message_id from ledger_inserted l)) as tombstoned`,
  );
  const tombstoned = written.tombstoned;
  const withdrawn = tombstoned.length === 0 ? 0 : await withdrawCopiesOfDeleted(tx, tombstoned);
  return { messagesInserted: written.inserted - withdrawn, messagesUpdated: 0, sources: written.sources };
}

const uniqueViolation = '23505';

/** The batch's copies into messages, from the CTE `src` (see sources), with `onConflict` if any. */
const insertCopies = (onConflict: SQL) => sql`
  insert into messages (id, conversation_id, author_id, author_type, content, tool_calls, reasoning, model,
    metadata, created_at)
  select id, session_id, null, author_type, content, tool_calls, reasoning, model, metadata, created_at
  from src
  ${onConflict}
  returning id`;

/** The legacy messages of moved sessions in `blocks`, mapped: what a first-run batch copies. */
const sources = (blocks: BlockRange) => sql`
  select cm.id, cm.session_id, ${authorType} as author_type,
         coalesce(cm.content, ${nullContentReplacement}) as content, cm.content is null as content_was_null,
         cm.tool_calls, cm.reasoning, cm.model, cm.metadata, ${asUtc('cm.created_at')} as created_at
  from chat_messages cm
  join legacy_chat_moved_sessions ls on ls.session_id = cm.session_id
  where ${inBlocks('cm', blocks)}`;
