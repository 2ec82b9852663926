import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../app/database.js';
import { migrationsSchema } from './migration-files.js';

/**
 * Where an operator's override of the verification is recorded (next to drizzle's own bookkeeping):
 * who accepted which problem of which migration, when, and why. An accepted edit stays accepted, so
 * the next deploy does not stop on it again.
 */
export const acceptedDriftTable = 'conversations_db_accepted_drift';

const table = sql`${sql.identifier(migrationsSchema)}.${sql.identifier(acceptedDriftTable)}`;

export interface AcceptedDrift {
  /** The journal `when` of the migration (drizzle's created_at). */
  createdAt: number;
  kind: string;
  /** For an accepted edit: the file's sha256 that was accepted. */
  hash: string | null;
}

export async function ensureAcceptedDriftTable(tx: Queryable): Promise<void> {
  await tx.execute(sql`
    CREATE TABLE IF NOT EXISTS ${table} (
      id serial PRIMARY KEY,
      tag text NOT NULL,
      created_at bigint NOT NULL,
      kind text NOT NULL,
      hash text,
      reason text NOT NULL,
      accepted_by text NOT NULL DEFAULT current_user,
      accepted_at timestamptz NOT NULL DEFAULT pg_catalog.now()
    )`);
}

export async function readAcceptedDrift(tx: Queryable): Promise<AcceptedDrift[]> {
  const present = await queryRows<{ present: boolean }>(
    tx,
    sql`select pg_catalog.to_regclass(${`${migrationsSchema}.${acceptedDriftTable}`}) is not null as present`,
  );
  if (present[0]?.present !== true) return [];
  const rows = await queryRows<{ created_at: string | number; kind: string; hash: string | null }>(
    tx,
    sql`select created_at, kind, hash from ${table} order by id`,
  );
  return rows.map((r) => ({ createdAt: Number(r.created_at), kind: r.kind, hash: r.hash }));
}

export async function recordAcceptedDrift(
  tx: Queryable,
  entry: { tag: string; createdAt: number; kind: string; hash: string | null; reason: string },
): Promise<void> {
  await tx.execute(
    sql`insert into ${table} (tag, created_at, kind, hash, reason)
        values (${entry.tag}, ${entry.createdAt}, ${entry.kind}, ${entry.hash}, ${entry.reason})`,
  );
}
