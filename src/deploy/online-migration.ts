import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../app/database.js';
import type { SessionSchemaLock } from './lock.js';
import { type LockRetry, type LockRetryOptions, withLockRetries } from './lock-retries.js';

/**
 * The first line of a migration that must run outside a transaction (CREATE INDEX CONCURRENTLY, which
 * PostgreSQL refuses inside one). Write it in a `drizzle-kit generate --custom` migration, followed by
 * the guard below, so plain `drizzle-kit migrate` (which runs every pending file in one transaction)
 * stops before anything is applied and names the command to use.
 */
export const onlineMarker = '-- conversations-db: no-transaction';

/** The setting db:migrate turns on for its own session; the guard refuses without it. */
export const onlineSetting = 'conversations_db.online_migration';

/**
 * The statement an online migration starts with (after the marker line): inside drizzle-kit's
 * transaction it refuses before anything runs, naming the command to use; under db:migrate, which
 * turns the setting on for its session, it does nothing. RAISE WARNING too, because drizzle-kit 0.31
 * prints notices but hides the error that stopped it (drizzle-orm#5816).
 */
export const onlineGuard = `DO $online$
DECLARE
  refusal text := 'This migration runs outside a transaction (CREATE INDEX CONCURRENTLY), which drizzle-kit migrate cannot do: it runs every pending migration in one transaction. Nothing was applied.';
  advice text := 'Run \`npm run db:migrate\` (or migrateDatabase() from @moveline/conversations-db/migrator): it applies this migration outside the transaction, holding the migration lock.';
BEGIN
  IF coalesce(pg_catalog.current_setting('${onlineSetting}', true), '') <> 'on' THEN
    RAISE WARNING '% %', refusal, advice;
    RAISE EXCEPTION '%', refusal USING HINT = advice;
  END IF;
END
$online$;`;

export function isOnlineMigration(statements: string[]): boolean {
  return statements[0]?.trimStart().startsWith(onlineMarker) === true;
}

/**
 * Runs an online migration statement by statement, outside any transaction, under the session lock.
 * Each statement gets lock_timeout with retries; a CREATE INDEX CONCURRENTLY that fails leaves an
 * INVALID index behind, which is dropped (CONCURRENTLY) before the statement is retried or the error
 * is passed on, so a re-run starts clean. A leftover from a run that was killed is dropped first.
 */
export async function runOnlineMigration(
  db: Queryable,
  lock: SessionSchemaLock,
  statements: string[],
  retries: LockRetryOptions,
  onRetry: (retry: LockRetry) => void | Promise<void>,
): Promise<void> {
  await db.execute(sql`select pg_catalog.set_config(${onlineSetting}, 'on', false)`);
  try {
    for (const statement of statements) {
      const index = concurrentIndexName(statement);
      await withLockRetries(retries, onRetry, async (lockTimeoutMs) => {
        await lock.assertHeldHere();
        if (index) await dropIfInvalid(db, index);
        await db.execute(sql`select pg_catalog.set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, false)`);
        try {
          await db.execute(sql.raw(statement));
        } catch (error) {
          if (index) await dropIfInvalid(db, index);
          throw error;
        }
      });
    }
  } finally {
    await db.execute(sql`select pg_catalog.set_config(${onlineSetting}, 'off', false)`);
    await db.execute(sql`reset lock_timeout`);
  }
}

/** The (schema-qualified or bare) name of the index a CREATE INDEX CONCURRENTLY statement builds. */
export function concurrentIndexName(statement: string): string | undefined {
  const withoutComments = statement.replace(/--.*$/gm, '');
  const match =
    /create\s+(?:unique\s+)?index\s+concurrently\s+(?:if\s+not\s+exists\s+)?((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)/i.exec(
      withoutComments,
    );
  return match?.[1];
}

async function dropIfInvalid(db: Queryable, index: string): Promise<void> {
  const qualified = index.includes('.') ? index : `"public".${index}`;
  const [row] = await queryRows<{ invalid: boolean }>(
    db,
    sql`select exists (select 1 from pg_catalog.pg_index i
          where i.indexrelid = pg_catalog.to_regclass(${qualified}) and not i.indisvalid) as invalid`,
  );
  if (row?.invalid) await db.execute(sql.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified}`));
}
