import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../app/database.js';
import { MigrationRefusedError } from './errors.js';

/** The name of the schema-change advisory lock; its key is hashtextextended(name, 0). */
export const schemaChangeLockName = 'conversations-db:schema-changes';

/** The schema-change lock's key, for sessions (tests, operators) that must take or find it. */
export const schemaChangeLockKey = sql`pg_catalog.hashtextextended(${schemaChangeLockName}, 0)`;

/**
 * One key for everything that changes the schema (migrate, baseline, rollback): a deploy that starts
 * while another runs waits for it, then finds nothing left to do. Transaction-scoped, so a crashed
 * deploy can never leave it held.
 */
export async function lockSchemaChanges(tx: Queryable): Promise<void> {
  await tx.execute(sql`select pg_catalog.pg_advisory_xact_lock(${schemaChangeLockKey})`);
}

export interface SessionSchemaLock {
  /**
   * Refuses unless the statement about to run goes to the backend that holds the lock. Inside a
   * transaction pass it: on a one-connection handle, a query outside it would wait for it forever.
   */
  assertHeldHere(on?: Queryable): Promise<void>;
  release(): Promise<void>;
}

/**
 * The same key, held by the session: an online migration runs outside any transaction, so the lock
 * must outlive them. It vanishes with the connection if the process dies. The handle must send every
 * query to one connection (the commands open one; PGlite is one), which assertHeldHere checks.
 */
export async function lockSchemaChangesForSession(db: Queryable): Promise<SessionSchemaLock> {
  await db.execute(sql`select pg_catalog.pg_advisory_lock(${schemaChangeLockKey})`);
  const assertHeldHere = async (on: Queryable = db) => {
    const [row] = await queryRows<{ held: boolean }>(
      on,
      sql`select exists (select 1 from pg_catalog.pg_locks l
            where l.locktype = 'advisory' and l.granted and l.pid = pg_catalog.pg_backend_pid()
              and ((l.classid::bigint << 32) | l.objid::bigint) = ${schemaChangeLockKey}) as held`,
    );
    if (row?.held !== true) {
      throw new MigrationRefusedError(
        'an online migration needs a database handle that sends every query over one connection (the lock it holds is per connection). ' +
          'Pass a drizzle database on a single connection, e.g. drizzle(postgres(url, { max: 1 })), or run `npm run db:migrate`.',
      );
    }
  };
  await assertHeldHere();
  return {
    assertHeldHere,
    release: async () => {
      await db.execute(sql`select pg_catalog.pg_advisory_unlock(${schemaChangeLockKey})`);
    },
  };
}
