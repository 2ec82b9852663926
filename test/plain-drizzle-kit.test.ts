import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { drizzleKitPrecheck } from '../src/repo/commands/drizzle-kit-precheck.js';
import { createLegacyTables, insertMessage, insertMove, insertSession } from './support/legacy-rows.js';
import { runDrizzleKit } from './support/run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// Plain `npx drizzle-kit migrate` (not db:migrate) on a legacy database never adopted: drizzle-kit
// itself would create drizzle.__drizzle_migrations, fail on 0000 and exit 1 printing nothing.
// drizzle.config.ts refuses first (scripts/drizzle-kit-precheck.ts), naming db:baseline, and nothing
// is written; 0000 is untouched, so no applied hash changes.

let database: TestDatabase;

beforeEach(async () => {
  database = await createTestDatabase('plain_kit');
});

afterEach(async () => {
  await database.drop();
});

async function use<T>(work: (db: Parameters<typeof insertMove>[0]) => Promise<T>): Promise<T> {
  const handle = await database.open({ maxConnections: 1 });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

const refusal =
  'drizzle-kit migrate: The host and legacy chat tables exist but no migration history: migration 0000 would fail on them. ' +
  'Run `npm run db:baseline` first (it adopts the database: records 0000 as applied without running it), then migrate again.\n';

describe('plain drizzle-kit migrate on an unadopted legacy database', () => {
  it('refuses naming db:baseline and leaves no drizzle schema behind', async () => {
    await use(async (db) => {
      await createLegacyTables(db);
      const { moveId } = await insertMove(db, 'kit@example.com');
      await insertMessage(db, await insertSession(db, { moveId }));
    });
    const result = await runDrizzleKit(['migrate'], database.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(refusal);
    const schemas = () =>
      use((db) =>
        queryRows<{ present: boolean }>(db, sql`select to_regnamespace('drizzle') is not null as present`),
      );
    expect(await schemas()).toEqual([{ present: false }]);

    // What drizzle-kit left behind before this check (an empty history table) is no history either.
    await use(async (db) => {
      await db.execute(sql`create schema drizzle`);
      await db.execute(
        sql`create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
      );
    });
    const again = await runDrizzleKit(['migrate'], database.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(refusal);
  });
});

describe('the precheck on an embedded database not created yet', () => {
  it('has nothing to refuse and leaves the folder to drizzle-kit: exit 0, no initdb, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdb-precheck-'));
    try {
      let output = '';
      const write = (text: string) => {
        output += text;
      };
      const { code } = await drizzleKitPrecheck.run([], {
        stdout: { write },
        stderr: { write },
        env: { PGLITE_DATA_DIR: join(dir, 'db') },
        isTTY: { stdout: false, stderr: false },
        cwd: dir,
      });
      expect({ code, output }).toEqual({ code: 0, output: '' });
      // Opening it would have run initdb there (seconds) before drizzle-kit starts PGlite again.
      expect(existsSync(join(dir, 'db'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
