import { sql } from 'drizzle-orm';
import { type Database, type Queryable, queryRow, queryRows } from '../../app/database.js';
import { batchRunner } from './batch-runner.js';
import type { BatchRetry } from './batch-transaction.js';
import { buildPendingIndexes } from './deferred-indexes.js';
import { databaseErrorOf, LegacyMoveRefusedError } from './errors.js';
import { acquireMoverLock, moveLockLost } from './mover-lock.js';
import { defaultBatchSize } from './options.js';
import { assertReadyToMove } from './preconditions.js';
import { assertThrottle, type ThrottleOptions } from './throttle.js';

export interface RollbackOptions extends ThrottleOptions {
  /** Conversations (or archive rows) per batch transaction. Default 5000. */
  batchSize?: number;
  /** lock_timeout of every batch transaction, in ms; a batch that times out is retried. Default 5000. */
  lockTimeoutMs?: number;
  /** Wait for a running mover instead of refusing. */
  wait?: boolean;
  /** Called when a batch failed on a lock timeout or a conflict and is about to run again. */
  onRetry?: (retry: BatchRetry) => void;
}

export interface RollbackResult {
  conversationsDeleted: number;
  messagesDeleted: number;
  archiveDeleted: number;
  /** Archive rows kept because their legacy session is gone: the archive is the only copy left. */
  archiveKept: string[];
  batches: number;
}

/** Moved conversations holding rows the move did not create (messages or participants the new app wrote). */
const conversationsWithAppData = (scope: ReturnType<typeof sql>) => sql`
  select l.session_id::text as id from legacy_chat_moved_sessions l
  where ${scope} and (
    exists (select 1 from messages m where m.conversation_id = l.session_id
            and not exists (select 1 from legacy_chat_moved_messages lm where lm.message_id = m.id))
    or exists (select 1 from conversation_participants p where p.conversation_id = l.session_id
               and not (p.participant_type::text = 'ai' and p.user_id is null)
               and not (p.participant_type::text = 'employee' and p.role::text = 'owner' and p.user_id = l.owner_user_id)))
  order by l.session_id`;

async function refuseAppData(db: Queryable, scope: ReturnType<typeof sql>): Promise<void> {
  const rows = await queryRows<{ id: string }>(db, conversationsWithAppData(scope));
  if (rows.length === 0) return;
  throw new LegacyMoveRefusedError(
    `chats:rollback refused: ${rows.length} moved conversations hold messages or participants the new app wrote, ` +
      `which a rollback would delete (${rows
        .slice(0, 10)
        .map((r) => r.id)
        .join(
          ', ',
        )}${rows.length > 10 ? ', ...' : ''}). Keep or remove that data by hand first; nothing was removed.`,
  );
}

/**
 * Removes what the move created (npm run chats:rollback): its conversations with their messages and
 * participants, its ledger, and the archive rows of orphans whose legacy session still exists. The
 * legacy tables are not touched. Refuses once they are gone, and while moved conversations hold data
 * the new app wrote. Batched, each batch its own transaction, under the move lock.
 */
export async function rollbackLegacyMove(
  db: Database,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  const batchSize = options.batchSize ?? defaultBatchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new TypeError('batchSize must be a positive integer.');
  assertThrottle(options);
  await assertReadyToMove(db, 'chats:rollback');
  const lock = await acquireMoverLock(db, { wait: options.wait });
  try {
    const runner = batchRunner(db, lock, options);
    // Indexes a killed first run left missing: a conversation's delete cascades to its messages through
    // idx_messages_conversation_id, and without it each one would scan the whole table.
    // Waiting no longer than a batch for a lock: if a transaction holds the table, the rollback goes on
    // without them (slower, as correct), and the next command builds them.
    // Only the lock timeout is let go: any other error (a lost connection, a full disk) ends the rollback.
    await buildPendingIndexes(db, { lockTimeoutMs: runner.context.lockTimeoutMs }).catch((error: unknown) => {
      if (databaseErrorOf(error)?.code !== '55P03') throw error;
    });
    await refuseAppData(db, sql`true`);
    const result: RollbackResult = {
      conversationsDeleted: 0,
      messagesDeleted: 0,
      archiveDeleted: 0,
      archiveKept: [],
      batches: 0,
    };

    for (;;) {
      // Counted once the batch committed: a batch that runs again must not count twice.
      const removed = await runner.batch('rollback batch', async (tx) => {
        const ids = (
          await queryRows<{ id: string }>(
            tx,
            sql`select session_id::text as id from legacy_chat_moved_sessions order by session_id limit ${batchSize}`,
          )
        ).map((r) => r.id);
        if (ids.length === 0) return undefined;
        const batch = sql`${`{${ids.join(',')}}`}::uuid[]`;
        // The app may have written since the check above: never delete its rows.
        await refuseAppData(tx, sql`l.session_id = any(${batch})`);
        const messages = await queryRow<{ n: number }>(
          tx,
          sql`with gone as (delete from legacy_chat_moved_messages lm using messages m
                            where m.id = lm.message_id and m.conversation_id = any(${batch}) returning 1)
              select count(*)::int as n from gone`,
        );
        // Cascades to the conversations' messages, participants and ledger rows.
        await tx.execute(sql`delete from conversations where id = any(${batch})`);
        return { conversations: ids.length, messages: messages.n };
      });
      await runner.afterBatch(removed ? removed.conversations + removed.messages : 0);
      if (!removed) break;
      result.conversationsDeleted += removed.conversations;
      result.messagesDeleted += removed.messages;
    }
    await runner.step('the ledger cleanup', (tx) =>
      tx.execute(sql`delete from legacy_chat_moved_messages lm
                     where not exists (select 1 from messages m where m.id = lm.message_id)`),
    );

    for (;;) {
      const deleted = await runner.batch('rollback batch', async (tx) => {
        const row = await queryRow<{ n: number }>(
          tx,
          sql`with gone as (
                delete from chat_session_archive where session_id in (
                  select a.session_id from chat_session_archive a
                  where exists (select 1 from chat_sessions cs where cs.id = a.session_id) limit ${batchSize})
                returning 1)
              select count(*)::int as n from gone`,
        );
        return row.n;
      });
      await runner.afterBatch(deleted);
      result.archiveDeleted += deleted;
      if (deleted === 0) break;
    }
    result.batches = runner.batches;
    result.archiveKept = (
      await queryRows<{ id: string }>(
        db,
        sql`select session_id::text as id from chat_session_archive order by 1`,
      )
    ).map((r) => r.id);
    return result;
  } catch (error) {
    throw moveLockLost(error, lock.pid) ?? error;
  } finally {
    await lock.release().catch(() => {});
  }
}
