import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { npmEnv, packedPackage } from './support/packed-package.js';
import { type RunResult, repoRoot, run } from './support/run.js';
import { createTestDatabase, type TestDatabase, testServer } from './support/test-database.js';

// The package as an app team gets it: `npm pack` (which builds dist/; packed once per run, shared
// with drizzle-peer-range.test.ts), the tarball installed into a fresh app next to its own
// drizzle-orm, zod and drivers, the app type-checked with tsc, then run against a fresh database
// that it migrates itself with drizzle's migrate() and the shipped folder.
// The app is test/fixtures/consumer-app/app.ts.

const fixture = join(repoRoot, 'test/fixtures/consumer-app');
let scratch: string;
let app: string;
let database: TestDatabase;
let packedFiles: string[];
let tsc: RunResult;

function readMigrationsCount(): number {
  const journal = JSON.parse(readFileSync(join(repoRoot, 'drizzle/meta/_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** The version this repository has installed (= its lock), so the app's install is served from the cache. */
function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'));
  return (manifest as { version: string }).version;
}

async function npm(args: string[], cwd: string) {
  const result = await run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], npmEnv(), cwd);
  if (result.code !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
  return result;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cdb-consumer-'));
  // Together: the pack (a build) runs while the server copies the database.
  const [created, packed] = await Promise.all([createTestDatabase('consumer'), packedPackage()]);
  database = created;
  packedFiles = packed.files;

  app = join(scratch, 'app');
  mkdirSync(app);
  const dependencies: Record<string, string> = {
    '@moveline/conversations-db': `file:${packed.tarball}`,
  };
  for (const name of ['drizzle-orm', 'zod', 'postgres', '@electric-sql/pglite', '@types/node'])
    dependencies[name] = installedVersion(name);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer-app', private: true, type: 'module', dependencies }, null, 2),
  );
  await copyFile(join(fixture, 'app.ts'), join(app, 'app.ts'));
  await copyFile(join(fixture, 'host-app.ts'), join(app, 'host-app.ts'));
  await copyFile(join(fixture, 'kit.ts'), join(app, 'kit.ts'));
  await copyFile(join(fixture, 'tsconfig.json'), join(app, 'tsconfig.json'));
  await npm(['install', '--prefer-offline', '--ignore-scripts'], app);
  // Compiled here, not in a test, so that the tests that run the app depend on no other test.
  tsc = await run(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], process.env, app);
}, 300_000);

afterAll(async () => {
  await database?.drop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Every file of the installed package reachable from `entries`, and the packages they import. */
function importGraph(entries: string[]): { reached: Set<string>; packages: Set<string> } {
  const root = join(app, 'node_modules/@moveline/conversations-db');
  const reached = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    const source = readFileSync(join(root, file), 'utf8');
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      if (!specifier) continue;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier));
      else
        packages.add(
          specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] ?? ''),
        );
    }
  };
  for (const entry of entries) visit(entry);
  return { reached, packages };
}

// Concurrent: the tests that run the app are independent processes on databases of their own.
describe.concurrent('the packed package in an app', () => {
  it('ships only dist/, drizzle/, README.md, LICENSE and package.json; none of the CLI-only code', () => {
    const outside = packedFiles.filter(
      (path) =>
        !path.startsWith('dist/') &&
        !path.startsWith('drizzle/') &&
        !['README.md', 'LICENSE', 'package.json'].includes(path),
    );
    expect(outside).toEqual([]);
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'dist/app/index.js',
        'dist/app/index.d.ts',
        'dist/app/zod/index.js',
        'dist/app/zod/index.d.ts',
        'dist/app/migrations.js',
        'dist/deploy/index.js',
        'dist/deploy/index.d.ts',
        'dist/app/testing/index.js',
        'dist/app/testing/index.d.ts',
        'drizzle/meta/_journal.json',
        'drizzle/0001_conversations.sql',
      ]),
    );
    // The operator commands ship behind the bin; the repository's checks (drift, docs) do not.
    expect(packedFiles).toContain('dist/operator/commands/main.js');
    expect(packedFiles.filter((path) => /^dist\/repo\//.test(path))).toEqual([]);
  });

  it('the app entry points import none of the operator tooling, the drivers or the legacy tables', () => {
    const { reached, packages } = importGraph([
      'dist/app/index.js',
      'dist/app/zod/index.js',
      'dist/app/migrations.js',
    ]);
    expect([...reached].filter((file) => /^dist\/(operator|deploy|repo)\//.test(file))).toEqual([]);
    expect([...packages].filter((name) => !name.startsWith('node:')).sort()).toEqual([
      'drizzle-orm',
      'drizzle-zod',
      'zod',
    ]);
  });

  it('npx conversations-db runs the operator commands from the app with the shipped migrations', async ({
    expect,
  }) => {
    const target = await createTestDatabase('consumer_bin');
    try {
      const bin = (args: string[], env: NodeJS.ProcessEnv = target.env) =>
        run(join(app, 'node_modules/.bin/conversations-db'), args, { ...npmEnv(), ...env }, app);
      const list = await bin(['--help']);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('  chats:migrate ');
      const help = await bin(['db:migrate', '--help']);
      expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(/^Usage: npm run db:migrate -- \[--to <tag>\]/);
      const bad = await bin(['chats:migrate', '--batch-size', '0']);
      expect(bad).toMatchObject({ code: 2, stdout: '' });
      expect(bad.stderr).toBe(
        'chats:migrate: --batch-size must be a positive whole number, not "0". Run `npm run chats:migrate -- --help` for usage.\n',
      );
      const expand = await bin(['db:migrate', '--to', expandStepTag()]);
      expect({ code: expand.code, stderr: expand.stderr }).toEqual({ code: 0, stderr: '' });
      expect(expand.stdout).toContain(`Applied: ${expandStepTag()}`);
      const plan = await bin(['chats:plan', '--json']);
      expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(plan.stdout)).toHaveProperty('sessions');
      const rest = await bin(['db:migrate']);
      expect({ code: rest.code, stderr: rest.stderr }).toEqual({ code: 0, stderr: '' });
      expect(rest.stdout).toMatch(/Applied: \d{4}_drop_legacy_chats/);
    } finally {
      await target.drop();
    }
  });

  it('@moveline/conversations-db/migrator imports drizzle-orm (a peer) and Node only: no driver, no command', () => {
    const { reached, packages } = importGraph(['dist/deploy/index.js']);
    expect(reached.has('dist/deploy/migrate.js')).toBe(true);
    expect([...reached].filter((file) => /^dist\/(operator|repo)\//.test(file))).toEqual([]);
    expect([...packages].filter((name) => !name.startsWith('node:')).sort()).toEqual(['drizzle-orm']);
  });

  it('the test kit loads its drivers only when used: no top-level import of postgres or PGlite', () => {
    const driverImport =
      /^import [^;]*from '(postgres|@electric-sql\/pglite|drizzle-orm\/(postgres-js|pglite)[^']*)'/m;
    const shipped = packedFiles.filter((path) => /^dist\/.*\.js$/.test(path));
    expect(shipped.length).toBeGreaterThan(0);
    const installed = join(app, 'node_modules/@moveline/conversations-db');
    const importing = shipped.filter((path) =>
      driverImport.test(readFileSync(join(installed, path), 'utf8')),
    );
    expect(importing).toEqual([]);
  });

  it('the test kit gives the app migrated databases that share no rows, and working factories', async ({
    expect,
  }) => {
    const env: NodeJS.ProcessEnv = { ...npmEnv() };
    delete env.DATABASE_URL;
    if (testServer.mode === 'server') env.KIT_ADMIN_URL = testServer.adminUrl;
    const result = await run(process.execPath, ['dist/kit.js'], env, app);
    const migrations = readMigrationsCount();
    expect({ code: result.code, stderr: result.stderr, stdout: result.stdout }).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `kit: migrations applied ${migrations} and ${migrations}`,
        'kit: messages in the first 1, in the second 0',
        'kit: owner employee owner',
        '',
      ].join('\n'),
    });
  });

  it('the app type-checks against the installed package with tsc', () => {
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  });

  it('the app migrates its database, writes and reads through the relations, and sees zod reject bad input', async ({
    expect,
  }) => {
    const result = await run(process.execPath, ['dist/app.js'], database.env, app);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'conversation: Lease questions [housing] of move true',
        'creator: ann@example.com',
        'participants: employee:user-ann, ai:-',
        'messages: Is the lease signed? | Movers come at nine. | Yes, on Monday.',
        'metadata kept: T-9',
        'message back to: Lease questions by ann@example.com',
        'rejected:',
        '✖ conversationId must be a UUID',
        '  → at conversationId',
        '✖ content must not be blank',
        '  → at content',
        'legacy tables exported: false',
        'helpers: Parking with 2 participants; posted by user-ann; read up to it: true; activity moved: true',
        'invalid fields: conversation.moveId, participants',
        'archive as the app role: WriteNotPermittedError (42501)',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(0);

    // What the app left in the database: every shipped migration recorded by drizzle, and its rows.
    const journal = JSON.parse(readFileSync(join(repoRoot, 'drizzle/meta/_journal.json'), 'utf8')) as {
      entries: unknown[];
    };
    const handle = await database.open();
    try {
      const [applied] = await queryRows<{ n: number }>(
        handle.db,
        sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      );
      expect(applied?.n).toBe(journal.entries.length);
      const rows = await queryRows<{ title: string; participants: number; messages: number }>(
        handle.db,
        sql`select c.title,
                   (select count(*)::int from conversation_participants p where p.conversation_id = c.id) as participants,
                   (select count(*)::int from messages m where m.conversation_id = c.id) as messages
            from conversations c order by c.title`,
      );
      expect(rows).toEqual([
        { title: 'Lease questions', participants: 2, messages: 3 },
        { title: 'Parking', participants: 2, messages: 1 },
      ]);
    } finally {
      await handle.close();
    }
  });

  it('an app that already owns users, employees and moves adopts its database with the exported migrator', async ({
    expect,
  }) => {
    const hostDatabase = await createTestDatabase('consumer_host');
    try {
      const result = await run(process.execPath, ['dist/host-app.js'], hostDatabase.env, app);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(
        [
          'migrate before baseline: refused, npm run db:baseline',
          'baseline: 0000_legacy_baseline, created chat_sessions, chat_messages, message_role',
          `migrate: ${JSON.parse(readFileSync(join(repoRoot, 'drizzle/meta/_journal.json'), 'utf8')).entries.length - 1} applied`,
          'status: dropped, next none, 0 problems',
          'app column kept: Ann',
          '',
        ].join('\n'),
      );
      expect(result.code).toBe(0);
    } finally {
      await hostDatabase.drop();
    }
  });

  it('the app exits 1 with one readable line when it has no database to use', async ({ expect }) => {
    const env = { ...npmEnv() };
    delete env.DATABASE_URL;
    delete env.PGLITE_DATA_DIR;
    const result = await run(process.execPath, ['dist/app.js'], env, app);
    expect(result.stderr).toBe('consumer app failed: set DATABASE_URL or PGLITE_DATA_DIR\n');
    expect(result.code).toBe(1);
  });
});
