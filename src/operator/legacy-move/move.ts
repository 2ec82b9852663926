import { sql } from 'drizzle-orm';
import { type Database, queryRow, queryRows } from '../../app/database.js';
import { countDifferences } from '../cutover/find-differences.js';
import { pruneGuardLog } from '../cutover/prune-guard-log.js';
import { readCutoverState, recordOrphanPolicy } from '../cutover/state.js';
import {
  archiveOrphanBatch,
  orphanFilter,
  orphansToArchive,
  orphansToArchiveIn,
  pruneArchive,
} from './archive-orphans.js';
import { batchRunner } from './batch-runner.js';
import type { BatchRetry } from './batch-transaction.js';
import { type BlockRange, tableBlocks } from './block-range.js';
import { buildPendingIndexes, tryDropDeferrableIndexes } from './deferred-indexes.js';
import { nextUpperBound } from './keyset.js';
import { deleteGoneMessages, goneMessages, messageWork, moveMessageBatch } from './move-messages.js';
import { moveSessionBatch, sessionsToMove, sessionsToMoveIn } from './move-sessions.js';
import { acquireMoverLock, moveLockLost } from './mover-lock.js';
import {
  type NotMovedMessage,
  type NotMovedSession,
  notMovedMessages,
  notMovedSessions,
} from './not-moved.js';
import {
  defaultBatchSize,
  defaultLockTimeoutMs,
  type OrphanOptions,
  type OrphanPolicy,
  orphanPolicyOf,
  sessionsBatchCap,
} from './options.js';
import { assertMoveExists, assertReadyToMove } from './preconditions.js';
import type { KeyRange } from './sql-range.js';
import { assertThrottle, type ThrottleOptions } from './throttle.js';

export type MovePhase = 'sessions' | 'messages' | 'orphans';

export interface MoveProgress {
  phase: MovePhase;
  /** Legacy rows (sessions + messages) covered by committed batches. */
  done: number;
  /** Legacy rows counted when the move started. */
  total: number;
  rowsPerSecond: number;
  /** Seconds left at the current rate; undefined until there is a rate. */
  etaSeconds: number | undefined;
}

export interface MoveBatch {
  phase: MovePhase;
  index: number;
  /** Sessions and orphans: a range of ids; messages: a range of chat_messages' heap blocks. */
  range: KeyRange | BlockRange;
}

export interface MoveOptions extends OrphanOptions, ThrottleOptions {
  /** Legacy rows per batch (each batch is its own transaction; sessions batches at most 1000). Default 5000. */
  batchSize?: number;
  /** lock_timeout of every batch transaction, in ms; a batch that times out is retried. Default 5000. */
  lockTimeoutMs?: number;
  /** Wait for another mover to finish instead of refusing. */
  wait?: boolean;
  /**
   * Into an empty `messages` (before go-live), drop its secondary indexes for the load and build them
   * after (deferred-indexes.ts). Default true; false keeps them throughout (the bench's comparison).
   */
  deferIndexes?: boolean;
  onProgress?: (progress: MoveProgress) => void;
  /** Called after each committed batch (tests and fault injection hook in here). */
  onBatch?: (batch: MoveBatch) => void | Promise<void>;
  /** Called when a batch failed on a lock timeout or a conflict and is about to run again. */
  onRetry?: (retry: BatchRetry) => void;
}

export interface MoveCounts {
  conversationsInserted: number;
  conversationsUpdated: number;
  conversationsDeleted: number;
  messagesInserted: number;
  messagesUpdated: number;
  messagesDeleted: number;
  aiParticipantsInserted: number;
  ownersInserted: number;
  ownersRemoved: number;
  archiveInserted: number;
  archiveUpdated: number;
  archiveDeleted: number;
}

export interface MoveResult {
  orphanPolicy: OrphanPolicy;
  assignMoveId: string | undefined;
  batchSize: number;
  batches: number;
  durationMs: number;
  /** Legacy rows when the move ended. */
  legacy: { sessions: number; messages: number };
  /** Rows the move holds (the ledger) when it ended. */
  moved: { conversations: number; messages: number; archivedSessions: number };
  counts: MoveCounts;
  /** Moved conversations whose legacy session is gone but which hold messages the new app wrote: kept. */
  conversationsKept: string[];
  /** Every legacy row that is not in the new tables when the move ended, and why. */
  notMoved: { sessions: NotMovedSession[]; messages: NotMovedMessage[] };
  /** Batches that hit a lock timeout (or a conflict) and ran again, in order. */
  retries: BatchRetry[];
  /**
   * When the new app went live (chats:cutover), else null. After go-live the move only adds legacy rows
   * that have no copy; it never rewrites or deletes a row of the new tables.
   */
  liveAt: Date | null;
  /** After go-live: rows where the two shapes differ, left as the new app wrote them (chats:validate lists them). */
  leftAsNewAppWrote: number;
}

const zeroCounts = (): MoveCounts => ({
  conversationsInserted: 0,
  conversationsUpdated: 0,
  conversationsDeleted: 0,
  messagesInserted: 0,
  messagesUpdated: 0,
  messagesDeleted: 0,
  aiParticipantsInserted: 0,
  ownersInserted: 0,
  ownersRemoved: 0,
  archiveInserted: 0,
  archiveUpdated: 0,
  archiveDeleted: 0,
});

/**
 * Moves chat_sessions / chat_messages into conversations, participants and messages (npm run
 * chats:migrate). Idempotent and convergent: each run makes the new tables the exact image of the
 * legacy tables under the mapping, writing only what differs; each batch is atomic, so a run killed at
 * any moment is finished by the next. Holds the move lock for its whole run; `db` must be a single
 * connection. Never writes to the legacy tables.
 */
export async function moveLegacyChats(db: Database, options: MoveOptions = {}): Promise<MoveResult> {
  const { policy, assignMoveId } = orphanPolicyOf(options);
  const batchSize = options.batchSize ?? defaultBatchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new TypeError('batchSize must be a positive integer.');
  assertThrottle(options);
  await assertReadyToMove(db, 'chats:migrate');
  if (assignMoveId) await assertMoveExists(db, assignMoveId);

  const lock = await acquireMoverLock(db, { wait: options.wait });
  /** This run dropped the deferrable indexes and has not built them again yet. */
  let indexesDeferred = false;
  try {
    // The sync applies the same policy to orphans the old app writes from now on.
    await recordOrphanPolicy(db, policy, assignMoveId);
    const { liveAt } = await readCutoverState(db);
    const live = liveAt !== null;
    const started = performance.now();
    const runner = batchRunner(db, lock, options);
    const counts = zeroCounts();
    const conversationsKept: string[] = [];
    const sizes = await queryRow<{ sessions: number; messages: number }>(
      db,
      sql`select (select count(*) from chat_sessions)::int as sessions, (select count(*) from chat_messages)::int as messages`,
    );
    const total = sizes.sessions + sizes.messages;
    let done = 0;

    const afterBatch = (phase: MovePhase, range: KeyRange | BlockRange, rows: number) =>
      runner.afterBatch(rows, async (index) => {
        done = Math.min(total, done + rows);
        const seconds = (performance.now() - started) / 1000;
        const rate = seconds > 0 ? done / seconds : 0;
        options.onProgress?.({
          phase,
          done,
          total,
          rowsPerSecond: rate,
          etaSeconds: rate > 0 ? (total - done) / rate : undefined,
        });
        await options.onBatch?.({ phase, index, range });
      });

    // Nothing moved yet: no copy can be stale at the end of this run (one deleted since its batch is
    // the sync's to follow, or the next run's), so the pass that looks for them is skipped.
    const firstRun = await nothingMovedYet(db);

    // 1. sessions -> conversations (and orphans attached by --orphans=assign), ledger, participants.
    const sessionsBatch = Math.min(batchSize, sessionsBatchCap);
    // After a first run and before go-live, find the sessions with work in one set-based pass, and run
    // only the batches holding one (none: the walk is skipped). After go-live every batch runs.
    const sessionsWork =
      firstRun || live
        ? undefined
        : await runner.step('the search for sessions to move', (tx) =>
            sessionsToMove(tx, assignMoveId, live),
          );
    if (sessionsWork !== 0)
      await forEachRange(db, sql`chat_sessions`, sessionsBatch, undefined, async (range, last) => {
        if (sessionsWork !== undefined && !(await sessionsToMoveIn(db, range))) return;
        const c = await runner.batch(
          'sessions batch',
          (tx) => moveSessionBatch(tx, range, assignMoveId, live),
          {
            indexProbes: true,
          },
        );
        counts.conversationsInserted += c.conversationsInserted;
        counts.conversationsUpdated += c.conversationsUpdated;
        counts.conversationsDeleted += c.conversationsDeleted;
        counts.aiParticipantsInserted += c.aiParticipantsInserted;
        counts.ownersInserted += c.ownersInserted;
        counts.ownersRemoved += c.ownersRemoved;
        conversationsKept.push(...c.conversationsKept);
        await afterBatch(
          'sessions',
          range,
          last ? sizes.sessions % sessionsBatch || sessionsBatch : sessionsBatch,
        );
      });

    // 2. messages of moved sessions, walking chat_messages by its heap blocks (each read once, in
    // order), then the move's copies whose legacy message is gone.
    done = sizes.sessions;
    // Into an empty `messages` before go-live (the first run), its secondary indexes are built after
    // the load instead of row by row (deferred-indexes.ts). After go-live the new app reads them: any a
    // killed run left missing are built before the load. Before go-live they are built after it.
    if (live) await buildPendingIndexes(db);
    else if (options.deferIndexes !== false && (await messagesEmpty(db)))
      indexesDeferred = await tryDropDeferrableIndexes(
        db,
        Math.min(runner.context.lockTimeoutMs, deferLockTimeoutMs),
      );
    const step = await blocksPerBatch(db, 'chat_messages', batchSize, sizes.messages);
    // After a first run (and before go-live), one set-based pass finds the batches with work and counts
    // the copies to delete; only those batches run. A first run has no copy to delete (nothing was moved
    // before it; one whose legacy message is deleted later is the sync's to follow, or the next run's),
    // and after go-live the move deletes nothing.
    const work =
      firstRun || live
        ? undefined
        : await runner.step('the search for messages to move', async (tx) => {
            await tx.execute(sql`select set_config('work_mem', '64MB', true)`);
            return messageWork(tx, step, live);
          });
    await forEachBlockRange(db, 'chat_messages', step, work?.batches, async (blocks) => {
      const c = await runner.batch('messages batch', (tx) => moveMessageBatch(tx, blocks, live), {
        indexProbes: true,
        // One statement, so one snapshot either way; in READ COMMITTED the last_message_at bump on a
        // conversation the sync bumped meanwhile waits for it and re-checks, where REPEATABLE READ
        // fails the whole batch (over and over while the old app writes into those sessions).
        readCommitted: true,
      });
      counts.messagesInserted += c.messagesInserted;
      counts.messagesUpdated += c.messagesUpdated;
      await afterBatch('messages', blocks, c.sources);
    });
    const gone = work?.gone ?? 0;
    if (gone > 0) {
      let after: string | undefined;
      for (;;) {
        const batch = await runner.batch('messages deletion batch', async (tx) => {
          const ids = await goneMessages(tx, after, batchSize);
          return { ids, deleted: ids.length ? await deleteGoneMessages(tx, ids) : 0 };
        });
        counts.messagesDeleted += batch.deleted;
        if (batch.ids.length === 0) break;
        const range = { after, upTo: batch.ids.at(-1) };
        after = range.upTo;
        await afterBatch('messages', range, 0);
      }
    }

    // The indexes this run deferred (or a killed run left missing or INVALID), CONCURRENTLY: the sync
    // keeps writing the old app's messages meanwhile.
    await buildPendingIndexes(db);
    indexesDeferred = false;

    // 3. orphans: archived (default) or kept; the archive then mirrors the orphans that remain.
    // After a first run (and before go-live), the orphans with work are found first, as above.
    const orphansWork =
      policy !== 'archive' || firstRun || live
        ? undefined
        : await runner.step('the search for orphans to archive', async (tx) => {
            await tx.execute(sql`select set_config('work_mem', '64MB', true)`);
            return orphansToArchive(tx);
          });
    if (policy === 'archive' && orphansWork !== 0) {
      await forEachRange(db, sql`chat_sessions`, batchSize, orphanFilter, async (range) => {
        if (orphansWork !== undefined && !(await orphansToArchiveIn(db, range))) return;
        const c = await runner.batch('orphans batch', (tx) => archiveOrphanBatch(tx, range), {
          readCommitted: true,
        });
        counts.archiveInserted += c.archiveInserted;
        counts.archiveUpdated += c.archiveUpdated;
        await afterBatch('orphans', range, 0);
      });
    }
    counts.archiveDeleted += await runner.step('the archive pruning', (tx) => pruneArchive(tx));
    // What the move wrote to the drop guard's log (two rows per message) is of no use to a later guard.
    await pruneGuardLog(db);

    return await db.transaction(
      async (tx) => {
        const end = await queryRow<{
          sessions: number;
          messages: number;
          conversations: number;
          moved_messages: number;
          archived: number;
        }>(
          tx,
          sql`select (select count(*) from chat_sessions)::int as sessions,
                     (select count(*) from chat_messages)::int as messages,
                     (select count(*) from legacy_chat_moved_sessions)::int as conversations,
                     (select count(*) from legacy_chat_moved_messages lm
                       where exists (select 1 from messages m where m.id = lm.message_id))::int as moved_messages,
                     (select count(*) from chat_session_archive)::int as archived`,
        );
        return {
          orphanPolicy: policy,
          assignMoveId,
          batchSize,
          batches: runner.batches,
          durationMs: Math.round(performance.now() - started),
          legacy: { sessions: end.sessions, messages: end.messages },
          moved: {
            conversations: end.conversations,
            messages: end.moved_messages,
            archivedSessions: end.archived,
          },
          counts,
          conversationsKept,
          notMoved: { sessions: await notMovedSessions(tx), messages: await notMovedMessages(tx) },
          retries: [...runner.retries],
          liveAt,
          leftAsNewAppWrote: live ? await countDifferences(tx, policy === 'keep') : 0,
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  } catch (error) {
    const lost = moveLockLost(error, lock.pid);
    // A run that failed midway (not killed) builds what it deferred before it gives up, waiting no longer
    // than a batch does for a lock (a batch that gave up on one would make the build wait for it too);
    // if it cannot (or the connection went with the lock), the next chats:migrate, db:migrate or chats:rollback does.
    if (indexesDeferred && !lost)
      await buildPendingIndexes(db, { lockTimeoutMs: options.lockTimeoutMs ?? defaultLockTimeoutMs }).catch(
        () => {},
      );
    throw lost ?? error;
  } finally {
    await lock.release().catch(() => {});
  }
}

/** Walks `from` in keyset batches of `size` ids; the last batch runs to the end of the key space. */
async function forEachRange(
  db: Database,
  from: ReturnType<typeof sql>,
  size: number,
  filter: ReturnType<typeof sql> | undefined,
  body: (range: KeyRange, last: boolean) => Promise<void>,
): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const upTo = await nextUpperBound(db, from, after, size, filter);
    await body({ after, upTo }, upTo === undefined);
    if (upTo === undefined) return;
    after = upTo;
  }
}

/** The blocks per batch of a walk of `table` with about `rowsPerBatch` rows a batch (from `rows`, its row count). */
async function blocksPerBatch(
  db: Database,
  table: string,
  rowsPerBatch: number,
  rows: number,
): Promise<number> {
  const { blocks } = await tableBlocks(db, table);
  return Math.max(1, Math.floor(rowsPerBatch / Math.max(1, rows / Math.max(1, blocks))));
}

/**
 * Walks `table` in ranges of `step` heap blocks. The size is read again before each batch, so the
 * last batch, which runs to the end, also sees the blocks the old app's writes added meanwhile.
 * `only`: the numbers (fromBlock / step, ascending) of the batches to run; the others are skipped
 * (the last runs if any of `only` is at or past it).
 */
async function forEachBlockRange(
  db: Database,
  table: string,
  step: number,
  only: readonly number[] | undefined,
  body: (blocks: BlockRange) => Promise<void>,
): Promise<void> {
  const wanted = only === undefined ? undefined : new Set(only);
  const lastWanted = only?.at(-1) ?? -1;
  for (let index = 0; ; index++) {
    const fromBlock = index * step;
    if (wanted !== undefined && index > lastWanted) return;
    const { blocks } = await tableBlocks(db, table);
    const last = fromBlock + step >= blocks;
    if (wanted === undefined || wanted.has(index) || last)
      await body({ fromBlock, toBlock: last ? undefined : fromBlock + step });
    if (last) return;
  }
}

/**
 * How long the drop of the deferrable indexes waits for its lock (the old app's writes into messages
 * queue behind it meanwhile): well under the 1 s an old-app write may wait. Past it, the load keeps them.
 */
const deferLockTimeoutMs = 300;

async function messagesEmpty(db: Database): Promise<boolean> {
  const row = await queryRow<{ empty: boolean }>(
    db,
    sql`select not exists (select 1 from messages) as empty`,
  );
  return row.empty === true;
}

async function nothingMovedYet(db: Database): Promise<boolean> {
  const [row] = await queryRows<{ empty: boolean }>(
    db,
    sql`select not exists (select 1 from legacy_chat_moved_messages)
           and not exists (select 1 from legacy_chat_moved_sessions) as empty`,
  );
  return row?.empty === true;
}
