import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../../src/connect.js';
import { type Queryable, queryRows } from '../../src/database.js';
import { moveTargetTables as movedTables } from '../../src/legacy-move/preconditions.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** A fresh database at the expand step (legacy tables, new tables, ledger), with one open connection. */
export async function expandedDatabase(
  label: string,
): Promise<{ database: TestDatabase; handle: DatabaseHandle }> {
  const database = await createTestDatabase(label, { at: 'expanded' });
  const handle = await database.open({ maxConnections: 1 });
  return { database, handle };
}

// The legacy row factories live in the test kit (one home); these names are the ones the tests use.
export {
  createLegacyMessage as insertMessage,
  createLegacyMove as insertMove,
  createLegacySession as insertSession,
  type LegacyHostRows as HostRows,
  type LegacyMessage,
  type LegacySession,
} from '../../src/testing/factories/legacy.js';

/** md5 of every row of a table in id order: equal checksums, equal contents. */
export async function tableChecksum(db: Queryable, table: string, key = 'id'): Promise<string> {
  const [row] = await queryRows<{ sum: string | null }>(
    db,
    sql`select md5(coalesce(string_agg(t::text, '|' order by t.${sql.identifier(key)}::text), '')) as sum
        from ${sql.identifier(table)} t`,
  );
  return row?.sum ?? '';
}

export { movedTables };

/** Checksums of the legacy tables, the new tables and the ledger. */
export async function checksums(db: Queryable): Promise<Record<string, string>> {
  const keys: Record<string, string> = {
    chat_session_archive: 'session_id',
    legacy_chat_moved_sessions: 'session_id',
    legacy_chat_moved_messages: 'message_id',
  };
  const out: Record<string, string> = {};
  for (const table of ['chat_sessions', 'chat_messages', ...movedTables]) {
    out[table] = await tableChecksum(db, table, keys[table] ?? 'id');
  }
  return out;
}

export async function count(db: Queryable, from: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql.raw(`select count(*)::int as n from ${from}`));
  return row?.n ?? 0;
}
