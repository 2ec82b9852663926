import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import { runInProcess } from './support/run.js';
import { createTestDatabase, type TestDatabase, withOpenDatabase } from './support/test-database.js';

// Adopting the database of a real app: it already has users, employees and moves, with columns,
// constraints and indexes of its own, and never had the legacy chats.

let database: TestDatabase;

// Some tests below start several command processes, and each opens the database (a PGlite folder
// takes seconds to open on a loaded machine): a budget for that work, not a wait on a race.
const processBudgetMs = 300_000;

beforeEach(async () => {
  database = await createTestDatabase('host_app');
});

afterEach(async () => {
  await database.drop();
});

async function query<Row extends Record<string, unknown>>(text: string): Promise<Row[]> {
  return withOpenDatabase(database, (db) => queryRows<Row>(db, sql.raw(text)));
}

async function appTables(usersId = 'text'): Promise<void> {
  for (const statement of [
    `CREATE TABLE users (id ${usersId} PRIMARY KEY, email text NOT NULL, display_name text, created_at timestamptz DEFAULT now())`,
    'CREATE UNIQUE INDEX users_lower_email ON users (lower(email))',
    'CREATE TABLE employees (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email text NOT NULL, team text)',
    'CREATE TABLE moves (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), employee_id uuid NOT NULL, origin text)',
    usersId === 'text'
      ? "INSERT INTO users (id, email, display_name) VALUES ('u1', 'ann@example.com', 'Ann')"
      : 'SELECT 1',
  ]) {
    await query(statement);
  }
}

const tags = readMigrations().map((m) => m.tag);
const dbCheck = ['--only', 'applied-hashes,live-schema'];

describe('an app database that already has users, employees and moves', () => {
  it(
    'is adopted by db:baseline, migrated, and passes db:check; drift in a column this package references is still caught',
    async () => {
      await appTables();
      const refused = await runInProcess('db-migrate.ts', [], database.env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("The app's users, employees, moves exist but no migration history");
      expect(refused.stderr).toContain('Run `npm run db:baseline` first (it adopts the database');

      const baseline = await runInProcess('db-baseline.ts', [], database.env);
      expect(baseline.stderr).toBe('');
      expect(baseline.code).toBe(0);
      expect(baseline.stdout).toContain(
        'Created from 0000_legacy_baseline: chat_sessions, chat_messages, message_role (the app had no legacy chats).',
      );

      const status = await runInProcess('db-status.ts', ['--json'], database.env);
      expect(status.code).toBe(0);
      const parsed = JSON.parse(status.stdout) as {
        migrations: { tag: string; state: string; online: boolean }[];
        position: { phase: string; next: string };
      };
      expect(parsed.migrations.map((m) => [m.tag, m.state])).toEqual(
        tags.map((tag, i) => [tag, i === 0 ? 'applied' : 'pending']),
      );
      expect(parsed.position).toMatchObject({
        phase: 'baselined',
        next: `npm run db:migrate -- --to ${tags.at(-2)}`,
      });

      const migrate = await runInProcess('db-migrate.ts', [], database.env);
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toContain(`Applied: ${tags.at(-1)}`);
      expect(await query('select display_name from users')).toEqual([{ display_name: 'Ann' }]);

      const clean = await runInProcess('db-check.ts', dbCheck, database.env);
      expect(clean.stdout).toMatch(/^db:check: clean/);
      expect(clean.code).toBe(0);

      await query('ALTER TABLE users ALTER COLUMN email TYPE varchar(200)');
      const drift = await runInProcess('db-check.ts', dbCheck, database.env);
      expect(drift.code).toBe(1);
      expect(drift.stdout).toBe(
        "live-schema: database: the app's table does not have what this package references: users.email is character varying(200), not text. Fix: restore that column with the type src/app/schema/core.ts gives it (the foreign keys and the owner inference use it).\n",
      );
    },
    processBudgetMs,
  );

  it('refuses to adopt when a referenced column has another type, and changes nothing', async () => {
    await appTables('uuid');
    const result = await runInProcess('db-baseline.ts', [], database.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "db:baseline: Cannot baseline: the app's tables do not have the columns this package references (users.id is uuid, not text). Add or fix those columns (extra columns of the app are fine), then run `npm run db:baseline` again.\n",
    );
    expect(
      await query(
        "select to_regclass('public.chat_sessions') as s, to_regclass('drizzle.__drizzle_migrations') as h",
      ),
    ).toEqual([{ s: null, h: null }]);
  });
});
