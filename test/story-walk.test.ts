import { afterEach, describe, expect, it } from 'vitest';
import type { Database, Queryable } from '../src/app/database.js';
import { baselineLegacyDatabase } from '../src/deploy/baseline.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import type { StoryPhase } from '../src/deploy/story.js';
import { moveLegacyChats } from '../src/operator/legacy-move/index.js';
import {
  createLegacyTables,
  insertMessage,
  insertMove,
  insertSession,
  runStatements,
} from './support/legacy-rows.js';
import { runInProcess } from './support/run.js';
import {
  createServerTestDatabase,
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

// Every state of the story (empty, an app's own tables only, legacy unadopted, baselined, expanded,
// moved, dropped): db:status names the next command, the walk runs it, until db:status says done;
// and every command that refuses in that state names a step that then works from that very state.
// The commands run in process (runInProcess: the same run() the scripts/ shims call, with the
// database's environment); command-process.test.ts covers what a real process adds.

const databases: TestDatabase[] = [];
// Each test below runs several commands, and each opens the database (a PGlite folder takes seconds
// to open on a loaded machine): a budget for that work, not a wait on a race.
const processBudgetMs = 300_000;

afterEach(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

async function legacyData(db: Queryable): Promise<void> {
  const host = await insertMove(db, 'walker@example.com');
  const session = await insertSession(db, { moveId: host.moveId });
  await insertMessage(db, session, { content: 'Where is my sofa?' });
  await insertMessage(db, session, { role: 'assistant', content: 'On the truck.' });
  const orphan = await insertSession(db, { moveId: null });
  await insertMessage(db, orphan, { content: 'No move for me' });
}

const appTablesDdl = `
  CREATE TABLE users (id text PRIMARY KEY, email text NOT NULL UNIQUE, display_name text, created_at timestamptz DEFAULT now());
  CREATE TABLE employees (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email text NOT NULL, department text);
  CREATE TABLE moves (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), employee_id uuid NOT NULL REFERENCES employees (id), origin text)`;

/** How to bring a fresh database into each state, with the library (the walk itself uses the commands). */
const states: Record<StoryPhase, ((db: Database) => Promise<void>) | undefined> = {
  empty: async () => {},
  'host-unadopted': async (db) => runStatements(db, appTablesDdl),
  'legacy-unadopted': async (db) => {
    await createLegacyTables(db);
    await legacyData(db);
  },
  'incomplete-legacy': undefined,
  baselined: async (db) => {
    await createLegacyTables(db);
    await legacyData(db);
    await baselineLegacyDatabase(db);
  },
  expanding: undefined,
  expanded: async (db) => {
    await createLegacyTables(db);
    await legacyData(db);
    await baselineLegacyDatabase(db);
    await migrateDatabase(db, { to: expandStepTag() });
  },
  moved: async (db) => {
    await createLegacyTables(db);
    await legacyData(db);
    await baselineLegacyDatabase(db);
    await migrateDatabase(db, { to: expandStepTag() });
    await moveLegacyChats(db);
  },
  dropped: async (db) => {
    await createLegacyTables(db);
    await legacyData(db);
    await baselineLegacyDatabase(db);
    await migrateDatabase(db, { to: expandStepTag() });
    await moveLegacyChats(db);
    await migrateDatabase(db);
  },
};

async function databaseIn(phase: StoryPhase): Promise<TestDatabase> {
  const database = await createTestDatabase(`walk_${phase}`);
  databases.push(database);
  const handle = await database.open({ maxConnections: 1 });
  try {
    await states[phase]?.(handle.db);
  } finally {
    await handle.close();
  }
  return database;
}

/** `npm run chats:migrate -- --orphans keep` -> scripts/chats-migrate.ts and its arguments. */
function scriptOf(command: string): { script: string; args: string[] } {
  const match = /^npm run ([\w:-]+)(?: -- (.*))?$/.exec(command.trim());
  if (!match?.[1]) throw new Error(`not an npm run command: ${command}`);
  return { script: `${match[1].replace(':', '-')}.ts`, args: match[2] ? match[2].split(/\s+/) : [] };
}

async function status(env: NodeJS.ProcessEnv): Promise<{ phase: StoryPhase; next: string | null }> {
  const result = await runInProcess('db-status.ts', ['--json'], env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { position: { phase: StoryPhase; next: string | null } }).position;
}

/** A copy of the database in its state (server mode: CREATE DATABASE ... TEMPLATE). */
async function copyOf(database: TestDatabase, label: string): Promise<NodeJS.ProcessEnv> {
  const source = decodeURIComponent(new URL(database.url ?? '').pathname.slice(1));
  const copy = await createServerTestDatabase(`walk_${label}`, source);
  databases.push(copy);
  return copy.env;
}

const walkedPhases: StoryPhase[] = [
  'empty',
  'host-unadopted',
  'legacy-unadopted',
  'baselined',
  'expanded',
  'moved',
  'dropped',
];

/** Each walk passes through the later states: together they visit every state of the story. */
const walks: [StoryPhase, StoryPhase[]][] = [
  ['empty', ['empty', 'dropped']],
  ['host-unadopted', ['host-unadopted', 'baselined', 'expanded', 'moved', 'dropped']],
  ['legacy-unadopted', ['legacy-unadopted', 'baselined', 'expanded', 'moved', 'dropped']],
];

describe('following db:status from every state of the story ends at the drop', () => {
  it.each(walks)(
    'from %s',
    async (phase, expected) => {
      const database = await databaseIn(phase);
      const visited: StoryPhase[] = [];
      const steps: string[] = [];
      for (let step = 0; step < 8; step++) {
        const position = await status(database.env);
        visited.push(position.phase);
        if (position.next === null) break;
        const { script, args } = scriptOf(position.next);
        const result = await runInProcess(script, args, database.env);
        expect({ at: position.phase, ran: position.next, code: result.code, stderr: result.stderr }).toEqual({
          at: position.phase,
          ran: position.next,
          code: 0,
          stderr: '',
        });
        steps.push(`${position.phase}: ${position.next}`);
      }
      expect(visited).toEqual(expected);
      // No step repeats: the advice never sends the operator round in circles.
      expect(new Set(steps).size).toBe(steps.length);
    },
    processBudgetMs,
  );
});

const commands = ['db:migrate', 'db:baseline', 'chats:migrate', 'chats:validate'] as const;

describe.skipIf(!hasServer)(
  `every refusal names a step that works from the state it found (${serverOnlyReason || 'server'})`,
  () => {
    it.each(walkedPhases)(
      'in %s',
      async (phase) => {
        const database = await databaseIn(phase);
        for (const [i, command] of commands.entries()) {
          const env = await copyOf(database, `c${i}`);
          const result = await runInProcess(scriptOf(`npm run ${command}`).script, [], env);
          if (result.code === 0) continue;
          // A refusal (exit 2) says it on stderr; a problem found (exit 1, chats:validate) may say it on stdout.
          const said = `${result.stderr}${result.stdout}`;
          const advice = /`(npm run [^`]+)`/.exec(said)?.[1];
          expect({ phase, command, said, advice: advice ?? null }).toEqual({
            phase,
            command,
            said,
            advice: expect.stringMatching(/^npm run /),
          });
          const { script, args } = scriptOf(advice ?? '');
          const followed = await runInProcess(script, args, env);
          expect({ phase, command, advice, code: followed.code, stderr: followed.stderr }).toEqual({
            phase,
            command,
            advice,
            code: 0,
            stderr: '',
          });
        }
      },
      processBudgetMs,
    );
  },
);
