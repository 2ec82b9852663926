import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../app/database.js';
import { migrationsSchema, migrationsTable } from './migration-files.js';

export interface AppliedMigration {
  id: number;
  hash: string;
  /** The journal `when` of the migration, which drizzle stores as created_at. */
  createdAt: number;
}

const table = sql`${sql.identifier(migrationsSchema)}.${sql.identifier(migrationsTable)}`;

/** drizzle's bookkeeping table, created exactly as drizzle-kit creates it. */
export async function ensureHistoryTable(tx: Queryable): Promise<void> {
  await tx.execute(sql`CREATE SCHEMA IF NOT EXISTS ${sql.identifier(migrationsSchema)}`);
  await tx.execute(sql`
    CREATE TABLE IF NOT EXISTS ${table} (
      id SERIAL PRIMARY KEY,
      hash text NOT NULL,
      created_at bigint
    )`);
}

export async function historyTableExists(tx: Queryable): Promise<boolean> {
  const rows = await queryRows<{ present: boolean }>(
    tx,
    sql`select to_regclass(${`${migrationsSchema}.${migrationsTable}`}) is not null as present`,
  );
  return rows[0]?.present === true;
}

export async function readHistory(tx: Queryable): Promise<AppliedMigration[]> {
  if (!(await historyTableExists(tx))) return [];
  const rows = await queryRows<{ id: number; hash: string; created_at: string | number }>(
    tx,
    sql`select id, hash, created_at from ${table} order by created_at, id`,
  );
  return rows.map((r) => ({ id: Number(r.id), hash: r.hash, createdAt: Number(r.created_at) }));
}

export async function recordApplied(tx: Queryable, hash: string, when: number): Promise<void> {
  await tx.execute(sql`insert into ${table} ("hash", "created_at") values (${hash}, ${when})`);
}
