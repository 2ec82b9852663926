import { is, SQL, sql } from 'drizzle-orm';
import { getTableConfig, IndexedColumn, type PgTable } from 'drizzle-orm/pg-core';
import { type Database, type Queryable, queryRows } from '../../app/database.js';
import { messages } from '../../app/schema/messages.js';
import { databaseErrorOf } from './errors.js';
import { tryMoverLock } from './mover-lock.js';

/**
 * The secondary indexes of `messages` that a first run builds after its load instead of maintaining
 * them row by row (at 1M messages they outgrow the cache, and their upkeep is most of the load's cost):
 * every non-unique index the drizzle schema declares on the table, rendered from that schema (its one
 * home) so the rebuilt index is the one the migrations created. The primary key stays: every batch
 * probes it.
 */
export interface DeferrableIndex {
  name: string;
  /** CREATE INDEX CONCURRENTLY ..., from the drizzle schema. */
  create: string;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * CREATE INDEX CONCURRENTLY for a plain btree index of `table` as drizzle-kit generates it (an index
 * column without .desc()/.nullsFirst() is ASC NULLS LAST, drizzle-kit's default, which is also
 * PostgreSQL's). Anything this does not render exactly (a partial index, storage parameters, an
 * expression, an operator class) throws: the rebuilt index must be the one the migrations created.
 */
function renderIndexes(table: PgTable): DeferrableIndex[] {
  const config = getTableConfig(table);
  const target = `${quote(config.schema ?? 'public')}.${quote(config.name)}`;
  return config.indexes
    .filter((index) => !index.config.unique)
    .map(({ config: index }) => {
      const name = index.name;
      if (!name) throw new Error(`deferred indexes: an index of ${config.name} has no name.`);
      if (index.where || (index.with && Object.keys(index.with).length > 0) || index.only)
        throw new Error(`deferred indexes: ${name} has a WHERE, WITH or ONLY clause this does not render.`);
      const columns = index.columns.map((column) => {
        if (is(column, SQL) || !is(column, IndexedColumn) || !column.name)
          throw new Error(`deferred indexes: ${name} has an expression column this does not render.`);
        const { order, nulls, opClass } = column.indexConfig;
        if (opClass) throw new Error(`deferred indexes: ${name} names an operator class.`);
        return `${quote(column.name)} ${order === 'desc' ? 'DESC' : 'ASC'} NULLS ${nulls === 'first' ? 'FIRST' : 'LAST'}`;
      });
      return {
        name,
        create: `CREATE INDEX CONCURRENTLY ${quote(name)} ON ${target} USING ${index.method ?? 'btree'} (${columns.join(', ')})`,
      };
    });
}

export const deferrableIndexes: readonly DeferrableIndex[] = renderIndexes(messages);

export interface PendingIndex {
  name: string;
  /** An INVALID leftover of a CREATE INDEX CONCURRENTLY that did not finish (dropped before the rebuild). */
  invalid: boolean;
}

/** The deferrable indexes that are missing or INVALID now; none when `messages` does not exist (yet, or any more). */
export async function pendingIndexes(db: Queryable): Promise<PendingIndex[]> {
  const names = deferrableIndexes.map((i) => i.name);
  const rows = await queryRows<{ name: string; invalid: boolean }>(
    db,
    sql`select n.name, i.indexrelid is not null as invalid
        from pg_catalog.unnest(${`{${names.join(',')}}`}::text[]) as n(name)
        left join pg_catalog.pg_index i
          on i.indexrelid = pg_catalog.to_regclass(pg_catalog.quote_ident('public') operator(pg_catalog.||) '.' operator(pg_catalog.||) pg_catalog.quote_ident(n.name))
         and i.indrelid = pg_catalog.to_regclass('public.messages')
        where pg_catalog.to_regclass('public.messages') is not null
          and (i.indexrelid is null or not i.indisvalid or not i.indisready)`,
  );
  return rows.map((r) => ({ name: r.name, invalid: r.invalid === true }));
}

/**
 * Drops the deferrable indexes of `messages` for a load into the empty table, in one short transaction;
 * buildPendingIndexes puts them back. DROP INDEX needs the table's ACCESS EXCLUSIVE lock, and while it
 * waits in the lock queue every old-app write the sync mirrors into `messages` waits behind it: so it
 * waits at most `lockTimeoutMs`, once, and when a long transaction holds the table the load keeps the
 * indexes instead (returns false). The table is empty, so once granted the lock is held for moments.
 */
export async function tryDropDeferrableIndexes(db: Database, lockTimeoutMs: number): Promise<boolean> {
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_catalog.set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`);
      for (const index of deferrableIndexes)
        await tx.execute(sql.raw(`DROP INDEX IF EXISTS ${quote('public')}.${quote(index.name)}`));
    });
    return true;
  } catch (error) {
    if (databaseErrorOf(error)?.code === '55P03') return false;
    throw error;
  }
}

/**
 * Builds every deferrable index that is missing (dropping an INVALID leftover first), CONCURRENTLY:
 * the sync writes the old app's messages into `messages` while the move runs, and a plain CREATE INDEX
 * would hold those writes for the whole build (seconds at 1M rows). Outside any transaction, on the
 * caller's one connection, which must hold the mover lock (so no mover is loading meanwhile). A kill
 * midway leaves an INVALID index or none, which the next call (chats:migrate, db:migrate, chats:rollback)
 * rebuilds. Returns the names built.
 */
export async function buildPendingIndexes(
  db: Queryable,
  options: { lockTimeoutMs?: number } = {},
): Promise<string[]> {
  const pending = await pendingIndexes(db);
  if (pending.length === 0) return [];
  // Sorts of a few hundred MB at 1M rows: in memory instead of on disk (this session only).
  await db.execute(sql`select pg_catalog.set_config('maintenance_work_mem', '256MB', false)`);
  // A concurrent build waits for every transaction that holds the table or an older snapshot; with
  // lockTimeoutMs it gives up instead (leaving an INVALID index for the next call to build).
  if (options.lockTimeoutMs !== undefined)
    await db.execute(
      sql`select pg_catalog.set_config('lock_timeout', ${`${options.lockTimeoutMs}ms`}, false)`,
    );
  try {
    for (const { name, invalid } of pending) {
      if (invalid)
        await db.execute(sql.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${quote('public')}.${quote(name)}`));
      const index = deferrableIndexes.find((i) => i.name === name);
      if (index) await db.execute(sql.raw(index.create));
    }
  } finally {
    await db.execute(sql`reset maintenance_work_mem`);
    if (options.lockTimeoutMs !== undefined) await db.execute(sql`reset lock_timeout`);
  }
  return pending.map((p) => p.name);
}

export type IndexRecovery =
  | { state: 'complete' }
  | { state: 'rebuilt'; names: string[] }
  /** A mover holds the lock: it is loading, and builds them itself when its load is done. */
  | { state: 'mover running'; names: string[] };

/**
 * For db:migrate: the indexes a killed chats:migrate left missing (or INVALID) are built
 * again, unless a mover is running now (it holds the mover lock, and builds them when its load ends).
 * `db` must be one connection (the lock is per session).
 */
export async function recoverDeferredIndexes(db: Queryable): Promise<IndexRecovery> {
  const pending = await pendingIndexes(db);
  if (pending.length === 0) return { state: 'complete' };
  const lock = await tryMoverLock(db);
  if (!lock) return { state: 'mover running', names: pending.map((p) => p.name) };
  try {
    return { state: 'rebuilt', names: await buildPendingIndexes(db) };
  } finally {
    await lock.release();
  }
}
