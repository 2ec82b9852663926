import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/database.js';
import { repoRoot, run } from './support/run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// The package as an app team gets it: `npm pack` (which builds dist/), the tarball installed into a
// fresh app next to its own drizzle-orm, zod and drivers, the app type-checked with tsc, then run
// against a fresh database that it migrates itself with drizzle's migrate() and the shipped folder.
// The app is test/fixtures/consumer-app/app.ts.

const fixture = join(repoRoot, 'test/fixtures/consumer-app');
let scratch: string;
let app: string;
let database: TestDatabase;
let packedFiles: string[];

/** npm run sets npm_* variables (prefixes, the running package); a nested npm must not inherit them. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
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
  database = await createTestDatabase('consumer');

  const pack = await npm(['pack', '--pack-destination', scratch, '--json'], repoRoot);
  const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  if (!packed) throw new Error(`npm pack printed no package: ${pack.stdout}`);
  packedFiles = packed.files.map((f) => f.path).sort();

  app = join(scratch, 'app');
  mkdirSync(app);
  const dependencies: Record<string, string> = {
    '@moveline/conversations-db': `file:${join(scratch, packed.filename)}`,
  };
  for (const name of ['drizzle-orm', 'zod', 'postgres', '@electric-sql/pglite', '@types/node'])
    dependencies[name] = installedVersion(name);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer-app', private: true, type: 'module', dependencies }, null, 2),
  );
  await copyFile(join(fixture, 'app.ts'), join(app, 'app.ts'));
  await copyFile(join(fixture, 'host-app.ts'), join(app, 'host-app.ts'));
  await copyFile(join(fixture, 'tsconfig.json'), join(app, 'tsconfig.json'));
  await npm(['install', '--prefer-offline', '--ignore-scripts'], app);
}, 300_000);

afterAll(async () => {
  await database?.drop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed package in an app', () => {
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
        'dist/index.js',
        'dist/index.d.ts',
        'dist/zod/index.js',
        'dist/zod/index.d.ts',
        'dist/migrations.js',
        'dist/migrator/index.js',
        'dist/migrator/index.d.ts',
        'drizzle/meta/_journal.json',
        'drizzle/0001_conversations.sql',
      ]),
    );
    // Node-only command-line code (drivers, the move, db:check) and the legacy tables stay out of dist/.
    expect(packedFiles.filter((path) => /^dist\/(connect|legacy|docs|drift)/.test(path))).toEqual([]);
  });

  it('the exported migrator imports nothing but drizzle-orm (a peer) and Node itself', () => {
    const shipped = packedFiles.filter((path) => path.endsWith('.js'));
    const imported = new Set<string>();
    for (const path of shipped) {
      const code = readFileSync(join(app, 'node_modules/@moveline/conversations-db', path), 'utf8');
      for (const [, specifier] of code.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        if (specifier && !specifier.startsWith('.')) imported.add(specifier);
      }
    }
    // The scan sees the migrator's own imports (so an empty result below means something).
    expect([...imported]).toEqual(expect.arrayContaining(['drizzle-orm', 'drizzle-orm/migrator', 'node:fs']));
    const allowed = /^(node:|drizzle-orm(\/|$)|drizzle-zod$|zod(\/|$))/;
    expect([...imported].filter((specifier) => !allowed.test(specifier))).toEqual([]);
  });

  it('the app type-checks against the installed package with tsc', async () => {
    const tsc = await run(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], process.env, app);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  });

  it('the app migrates its database, writes and reads through the relations, and sees zod reject bad input', async () => {
    const result = await run(process.execPath, ['dist/app.js'], database.env, app);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'conversation: Lease questions [housing] of move true',
        'creator: ann@example.com',
        'participants: employee:user-ann, ai:-',
        'messages: Is the lease signed? | Yes, on Monday.',
        'metadata kept: T-9',
        'message back to: Lease questions by ann@example.com',
        'rejected:',
        '✖ conversationId must be a UUID',
        '  → at conversationId',
        '✖ content must not be blank',
        '  → at content',
        'legacy tables exported: false',
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
            from conversations c`,
      );
      expect(rows).toEqual([{ title: 'Lease questions', participants: 2, messages: 2 }]);
    } finally {
      await handle.close();
    }
  });

  it('an app that already owns users, employees and moves adopts its database with the exported migrator', async () => {
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

  it('the app exits 1 with one readable line when it has no database to use', async () => {
    const env = { ...npmEnv() };
    delete env.DATABASE_URL;
    delete env.PGLITE_DATA_DIR;
    const result = await run(process.execPath, ['dist/app.js'], env, app);
    expect(result.stderr).toBe('consumer app failed: set DATABASE_URL or PGLITE_DATA_DIR\n');
    expect(result.code).toBe(1);
  });
});
