import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import { openDatabase } from '../src/operator/connect.js';
import type { BenchServer } from './lib/server.js';

export interface ChainResult {
  migrations: string[];
  pgliteMs: number[];
  pgliteOpenMs: number[];
  serverMs: number[];
}

/** Time to apply the whole chain to an empty database (the migrate call alone, not the connect). */
export async function benchChain(server: BenchServer | undefined, runs: number): Promise<ChainResult> {
  const result: ChainResult = {
    migrations: readMigrations().map((m) => m.tag),
    pgliteMs: [],
    pgliteOpenMs: [],
    serverMs: [],
  };
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-chain-'));
    try {
      const opened = performance.now();
      const handle = await openDatabase({ pgliteDir: dir });
      const started = performance.now();
      await migrateDatabase(handle.db);
      result.pgliteMs.push(performance.now() - started);
      result.pgliteOpenMs.push(started - opened);
      await handle.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (!server) continue;
    const name = 'bench_chain';
    await server.create(name);
    const handle = await openDatabase({ url: server.urlOf(name), maxConnections: 1 });
    try {
      await handle.db.execute(sql`select 1`); // connect before the clock starts
      const started = performance.now();
      await migrateDatabase(handle.db);
      result.serverMs.push(performance.now() - started);
    } finally {
      await handle.close();
      await server.drop(name);
    }
  }
  return result;
}
