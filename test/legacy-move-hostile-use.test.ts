import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Queryable, queryRows } from '../src/app/database.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { tablesIn } from './support/catalog.js';
import { dumpCatalog } from './support/catalog-dump.js';
import { describeHostileUse, expectCouldNotRun } from './support/hostile-use.js';
import { insertMessage, insertMove, insertSession } from './support/legacy-rows.js';
import { runInProcess } from './support/run.js';
import { createTestDatabase, hasServer, type TestDatabase } from './support/test-database.js';

// The chats:* commands and the demo meet bad input and databases in the wrong state: one line
// that says what to do, exit 2, nothing written.

describeHostileUse({ name: 'chats:plan', script: 'chats-plan.ts' });
describeHostileUse({ name: 'chats:migrate', script: 'chats-migrate.ts' });
describeHostileUse({ name: 'chats:validate', script: 'chats-validate.ts' });
describeHostileUse({ name: 'chats:rollback', script: 'chats-rollback.ts' });
describeHostileUse({ name: 'chats:cutover', script: 'chats-cutover.ts' });
describeHostileUse({ name: 'chats:status', script: 'chats-status.ts' });
describeHostileUse({ name: 'demo', script: 'demo.ts', args: ['--sessions', '20'] });

const chatsCommands = [
  { name: 'chats:plan', script: 'chats-plan.ts' },
  { name: 'chats:migrate', script: 'chats-migrate.ts' },
  { name: 'chats:validate', script: 'chats-validate.ts' },
  { name: 'chats:rollback', script: 'chats-rollback.ts' },
  { name: 'chats:cutover', script: 'chats-cutover.ts' },
];
const expand = `npm run db:migrate -- --to ${expandStepTag()}`;

interface WrongState {
  label: string;
  /** Builds the state, with some rows so that "nothing written" is tested on data too. */
  build(db: Parameters<typeof migrateDatabase>[0]): Promise<void>;
  mentions: string[];
}

async function legacyRows(db: Queryable): Promise<void> {
  const host = await insertMove(db, 'wrong-state@example.com');
  const session = await insertSession(db, { moveId: host.moveId });
  await insertMessage(db, session, { content: 'still here' });
}

const states: WrongState[] = [
  {
    label: 'a fresh empty database',
    build: async () => {},
    mentions: ['neither the legacy chat tables', 'DATABASE_URL', 'npm run demo'],
  },
  {
    label: 'a database after the drop of the legacy tables',
    build: async (db) => {
      await migrateDatabase(db);
      const host = await insertMove(db, 'after-drop@example.com');
      await db.execute(
        sql`insert into conversations (move_id, title) values (${host.moveId}::uuid, 'app data')`,
      );
    },
    mentions: ['the drop has run', 'Nothing to do'],
  },
  {
    label: 'a database at 0000 only (legacy tables, no new ones)',
    build: async (db) => {
      await migrateDatabase(db, { to: '0000_legacy_baseline' });
      await legacyRows(db);
    },
    mentions: ['the new tables are missing', expand],
  },
  {
    label: 'a legacy database with no migration history',
    build: async (db) => {
      await migrateDatabase(db, { to: '0000_legacy_baseline' });
      await db.execute(sql`drop schema drizzle cascade`);
      await legacyRows(db);
    },
    mentions: ['no migration history', 'npm run db:baseline', expand],
  },
];

/** The catalog, the migration history and every row of every public table. */
async function snapshot(db: Queryable): Promise<{ catalog: string[]; history: string[]; rows: string[] }> {
  const rows: string[] = [];
  for (const table of await tablesIn(db)) {
    const [row] = await queryRows<{ sum: string }>(
      db,
      sql`select ${table} || ' ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum
          from ${sql.identifier(table)} t`,
    );
    rows.push(row?.sum ?? table);
  }
  const history = await queryRows<{ line: string }>(
    db,
    sql`select string_agg(n.nspname || '.' || c.relname, ',') as line from pg_class c
        join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'drizzle'`,
  );
  return { catalog: await dumpCatalog(db), history: history.map((h) => h.line), rows };
}

describe('the chats commands and the demo at the wrong migration state: one line saying what to do, exit 2, nothing written', () => {
  const built = new Map<string, TestDatabase>();

  beforeAll(async () => {
    for (const state of states) {
      const database = await createTestDatabase(`wrong_state_${built.size}`);
      const handle = await database.open({ maxConnections: 1 });
      try {
        await state.build(handle.db);
      } finally {
        await handle.close();
      }
      built.set(state.label, database);
    }
  });

  afterAll(async () => {
    for (const database of built.values()) await database.drop();
  });

  // One state after another: side by side, four states' processes shared two cores and each test's
  // time was the others' too, so all four ran out of time together on a loaded machine.
  it.each(states)('$label', async (state) => {
    const database = built.get(state.label);
    if (!database) throw new Error('state not built');
    const read = async () => {
      const handle = await database.open({ maxConnections: 1 });
      try {
        return await snapshot(handle.db);
      } finally {
        await handle.close();
      }
    };
    const before = await read();
    // PGlite opens in ~3 s per process: there, each state meets one command (every command and every
    // state once); a server runs them all.
    const commands = hasServer ? chatsCommands : chatsCommands.filter((_, i) => i === states.indexOf(state));
    for (const { name, script } of commands) {
      const result = await runInProcess(script, [], database.env);
      expectCouldNotRun(result, name, { mentions: [`${name}: refused: `, ...state.mentions] });
    }
    // The demo builds its own database; given a DATABASE_URL (server mode) it refuses any that is
    // not empty. Without one it never opens this database (it recreates .data/demo), so only here.
    if (hasServer && state.label !== 'a fresh empty database') {
      const demo = await runInProcess('demo.ts', ['--sessions', '5'], database.env);
      expectCouldNotRun(demo, 'demo', { mentions: ['is not empty', 'DATABASE_URL'] });
    }
    expect(await read()).toEqual(before);
  });
});
