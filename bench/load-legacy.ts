import { migrateDatabase } from '../src/deploy/migrate.js';
import { openDatabase } from '../src/operator/connect.js';
import { type LegacyDataSize, loadLegacyData } from './legacy-data.js';
import type { BenchServer } from './lib/server.js';
import { legacyBaselineTag } from './lib/sync.js';

/** Legacy data loaded before the expand step, as in production; then migrated to the expand step (the sync on). */
export async function loadLegacyDatabase(
  server: BenchServer,
  name: string,
  target: string,
  size: LegacyDataSize,
) {
  await server.create(name);
  const migrateTo = async (to: string) => {
    const handle = await openDatabase({ url: server.urlOf(name), maxConnections: 1 });
    try {
      await migrateDatabase(handle.db, { to });
    } finally {
      await handle.close();
    }
  };
  await migrateTo(legacyBaselineTag);
  const sql = server.client(name);
  try {
    const counts = await loadLegacyData(sql, size);
    await migrateTo(target);
    await sql.unsafe('VACUUM ANALYZE');
    return counts;
  } finally {
    await sql.end();
  }
}
