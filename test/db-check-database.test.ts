import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readMigrations } from '../src/deploy/migration-files.js';
import { rollbackDatabase } from '../src/deploy/rollback.js';
import { makeScratchRepo, type ScratchRepo } from './support/scratch-repo.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// The database checks run against this file's own database: a server database, or a PGlite folder
// (db:check uses PGLITE_DATA_DIR when it is set), so they run in both modes.
let database: TestDatabase;
let repo: ScratchRepo;

beforeAll(() => {
  repo = makeScratchRepo();
});

afterAll(() => {
  repo?.remove();
});

/**
 * Every test starts from its own copy of the run's migrated template (exactly the full chain, whatever
 * another test did to its copy): cheaper than dropping the schemas and migrating again before each.
 */
beforeEach(async () => {
  database = await createTestDatabase('db_check', { at: 'migrated' });
});

afterEach(async () => {
  await database?.drop();
});

async function withDb<T>(
  use: (db: Awaited<ReturnType<TestDatabase['open']>>['db']) => Promise<T>,
): Promise<T> {
  const handle = await database.open();
  try {
    return await use(handle.db);
  } finally {
    await handle.close();
  }
}

const lines = (output: string) => output.split('\n').filter(Boolean);
const dbChecks = ['--only', 'applied-hashes,live-schema'];

describe('db:check with a database', () => {
  it('passes a database migrated with the whole chain', async () => {
    const result = await repo.dbCheck(dbChecks, database.env);
    expect(result.stdout).toMatch(/^db:check: clean \(database: .+\)\.\n$/);
    expect(result.code).toBe(0);
  });

  it('applied-hashes: an applied migration edited afterwards', async () => {
    const file = 'drizzle/0002_conversations_updated_at_trigger.sql';
    const original = repo.read(file);
    repo.write(file, original.replace('NEW.updated_at := now();', 'NEW.updated_at := clock_timestamp();'));
    try {
      const result = await repo.dbCheck(dbChecks, database.env);
      expect(lines(result.stdout)).toEqual([
        expect.stringMatching(
          /^applied-hashes: drizzle\/0002_conversations_updated_at_trigger\.sql: edited after it was applied: the database ran sha256 [0-9a-f]{12}, the file is now [0-9a-f]{12}; drizzle will not run it again\. Fix: restore the applied version/,
        ),
      ]);
      expect(result.code).toBe(1);
    } finally {
      repo.write(file, original);
    }
  });

  it('applied-hashes: a migration merged with an older when than the last applied one', async () => {
    const journalBefore = repo.read('drizzle/meta/_journal.json');
    const journal = repo.journal();
    const [second, third] = journal.entries.slice(-2);
    if (!second || !third) throw new Error('expected at least two migrations');
    const when = Math.floor((second.when + third.when) / 2);
    const tag = `${String(journal.entries.length).padStart(4, '0')}_from_an_old_branch`;
    journal.entries.push({ ...third, idx: journal.entries.length, tag, when });
    repo.writeJournal(journal);
    repo.write(`drizzle/${tag}.sql`, 'ALTER TABLE "conversations" ADD COLUMN "pinned" boolean;');
    try {
      const result = await repo.dbCheck(['--only', 'applied-hashes'], database.env);
      expect(lines(result.stdout)).toEqual([
        `applied-hashes: drizzle/${tag}.sql: never applied, and its when (${when}) is older than the last applied migration (${third.when}): drizzle will skip it forever (a branch merged with an older migration). Fix: regenerate it on top of the latest migration so its when is newer (delete drizzle/${tag}.sql, its snapshot and journal entry, run \`npm run db:generate\`), then \`npm run db:migrate\`.`,
      ]);
      expect(result.code).toBe(1);
    } finally {
      repo.write('drizzle/meta/_journal.json', journalBefore);
      rmSync(join(repo.dir, `drizzle/${tag}.sql`));
    }
  });

  it('live-schema: an index added by hand, a column dropped, a type changed; the app’s own tables are not drift', async () => {
    await withDb(async (db) => {
      await db.execute(sql`CREATE INDEX "idx_messages_model_by_hand" ON "messages" ("model")`);
      await db.execute(sql`ALTER TABLE "conversations" DROP COLUMN "agent_mail_inbox_id"`);
      await db.execute(sql`ALTER TABLE "messages" ALTER COLUMN "model" TYPE varchar(100)`);
      // Not this package's: another table and enum of the app's database.
      await db.execute(sql`CREATE TYPE "invoice_state" AS ENUM ('open', 'paid')`);
      await db.execute(sql`CREATE TABLE "invoices" ("id" serial PRIMARY KEY, "state" "invoice_state")`);
    });
    const result = await repo.dbCheck(dbChecks, database.env);
    const prefix = 'live-schema: database: differs from src/app/schema: to match, drizzle-kit would run: ';
    expect(
      lines(result.stdout)
        .map((l) => l.split(' Fix: ')[0])
        .sort(),
    ).toEqual(
      [
        `${prefix}ALTER TABLE "conversations" ADD COLUMN "agent_mail_inbox_id" text;`,
        `${prefix}ALTER TABLE "messages" ALTER COLUMN "model" SET DATA TYPE text;`,
        `${prefix}DROP INDEX "idx_messages_model_by_hand";`,
      ].sort(),
    );
    expect(result.stdout).not.toMatch(/invoice/);
    expect(result.code).toBe(1);
  });

  it('live-schema: a column renamed by hand is reported, not guessed', async () => {
    await withDb((db) => db.execute(sql`ALTER TABLE "messages" RENAME COLUMN "model" TO "model_name"`));
    const result = await repo.dbCheck(['--only', 'live-schema'], database.env);
    expect(lines(result.stdout)).toEqual([
      expect.stringMatching(
        /^live-schema: database: differs from src\/app\/schema: to match, drizzle-kit would run: \(a table or column of this package was renamed or replaced in the database; drizzle-kit would ask whether it is a rename\) Fix: /,
      ),
    ]);
    expect(result.code).toBe(1);
  });

  it('live-schema: a database behind the migrations is told to migrate, not diffed', async () => {
    const tags = readMigrations().map((m) => m.tag);
    await withDb((db) => rollbackDatabase(db, { to: tags.at(-2) ?? '' }));
    const result = await repo.dbCheck(['--only', 'live-schema'], database.env);
    expect(lines(result.stdout)).toEqual([
      `live-schema: database: is behind the migrations: ${tags.at(-1)} not applied yet, so it cannot be compared with the schema (expanded: The new tables exist and chats:migrate has not run yet.) Fix: run \`npm run chats:migrate\` (\`npm run db:status\` names each next step), then db:check again.`,
    ]);
    expect(result.code).toBe(1);
  });
});
