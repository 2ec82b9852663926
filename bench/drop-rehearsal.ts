import type { BenchServer } from './lib/server.js';

/** One step of the drop's work under its locks, timed. */
export interface LockedStep {
  step: string;
  ms: number;
}

export interface DropRehearsal {
  /** The full check before the lock (no write waits on it). */
  unlockedCheckMs: number;
  /** Each step the drop runs while it holds the locks, in its order (the commit aside). */
  locked: LockedStep[];
  /** What the guard's log named for the window: keys read back under the lock. */
  loggedKeys: number;
  /** How many attempts legacy_chat_guard_lock() took to get every lock. */
  lockAttempts: number;
}

/**
 * Where the drop's time under its locks goes (issue 11): the guard's steps, in the guard's order, on
 * `name` while `writing` keeps the writer busy, each timed on its own, in a transaction that is rolled
 * back (the database is left as it was). It calls the very functions the drop calls; the drop's
 * commit is not part of it (the real drop's writer wait, less these steps, is the commit's share).
 */
export async function rehearseDrop(server: BenchServer, name: string): Promise<DropRehearsal> {
  const sql = server.client(name);
  try {
    const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
      const started = performance.now();
      const result = await run();
      return [result, performance.now() - started];
    };
    await sql.unsafe('begin');
    try {
      // As the guard takes it (a database before the log's upkeep migration: the plain snapshot).
      const [hold] = await sql.unsafe<{ present: boolean }[]>(
        "select to_regprocedure('conversations_cutover.legacy_chat_guard_log_hold()') is not null as present",
      );
      const [held] = await sql.unsafe<{ since: string }[]>(
        hold?.present
          ? 'select conversations_cutover.legacy_chat_guard_log_hold()::text as since'
          : 'select pg_current_snapshot()::text as since',
      );
      const since = held?.since ?? '';
      const [, unlockedCheckMs] = await timed(() =>
        sql.unsafe('select count(*) from conversations_cutover.legacy_chat_differences(false)'),
      );
      const locked: LockedStep[] = [];
      const step = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
        const [result, ms] = await timed(run);
        locked.push({ step: label, ms });
        return result;
      };
      const [attempts] = await step('take the locks (ACCESS EXCLUSIVE, short attempts)', () =>
        sql.unsafe<{ n: number }[]>('select conversations_cutover.legacy_chat_guard_lock() as n'),
      );
      const [changed] = await step("read the guard's log since the first check", () =>
        sql.unsafe<{ sessions: string[]; messages: string[] }[]>(
          'select sessions::text[] as sessions, messages::text[] as messages from conversations_cutover.legacy_chat_guard_log_since($1::pg_snapshot)',
          [since],
        ),
      );
      await step("compare the log's triggers with the first check's", () =>
        sql.unsafe('select conversations_cutover.legacy_chat_guard_log_state()'),
      );
      await step('re-check the logged keys', () =>
        sql.unsafe(
          'select count(*) from conversations_cutover.legacy_chat_differences_among(false, $1::uuid[], $2::uuid[])',
          [`{${changed?.sessions.join(',') ?? ''}}`, `{${changed?.messages.join(',') ?? ''}}`],
        ),
      );
      await step("remove the sync's and the log's 33 triggers", () =>
        sql.unsafe('select conversations_cutover.legacy_chat_sync_uninstall()'),
      );
      await step("empty the guard's log", () =>
        sql.unsafe('truncate conversations_cutover.legacy_chat_guard_log'),
      );
      await step('drop chat_messages, chat_sessions, message_role', async () => {
        await sql.unsafe('drop table chat_messages cascade');
        await sql.unsafe('drop table chat_sessions cascade');
        await sql.unsafe('drop type message_role');
      });
      return {
        unlockedCheckMs,
        locked,
        loggedKeys: (changed?.sessions.length ?? 0) + (changed?.messages.length ?? 0),
        lockAttempts: attempts?.n ?? 0,
      };
    } finally {
      await sql.unsafe('rollback');
    }
  } finally {
    await sql.end();
  }
}
