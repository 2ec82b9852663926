import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoSlips } from './message-rules.js';
import { type RunResult, runInProcess } from './run.js';
import { createTestDatabase, hasServer, serverOnlyReason, testServer } from './test-database.js';

export interface CommandUnderTest {
  /** The npm script name the command prints its messages under, e.g. `db:migrate`. */
  name: string;
  /** Its file in scripts/. */
  script: string;
  /** Arguments the command accepts, so that only the hostile part of a run is wrong. */
  args?: string[];
}

/**
 * Asserts what every command owes bad input: exit 2, nothing on stdout, exactly one line on stderr
 * that starts with the command's name, says what to do (`mentions`), and never holds `secret`.
 */
export function expectCouldNotRun(
  result: RunResult,
  name: string,
  { mentions = [], secret, env }: { mentions?: string[]; secret?: string; env?: NodeJS.ProcessEnv } = {},
): void {
  const lines = result.stderr.trimEnd().split('\n');
  expect({ code: result.code, stdout: result.stdout, lines: lines.length }).toEqual({
    code: 2,
    stdout: '',
    lines: 1,
  });
  expect(lines[0]).toMatch(new RegExp(`^${name}: \\S`));
  for (const text of mentions) expect(lines[0]).toContain(text);
  if (secret) expect(result.stdout + result.stderr).not.toContain(secret);
  expectNoSlips(lines[0] ?? '', env);
}

/** An environment with no database configured, whose PGlite folder must stay absent. */
function isolatedEnv(databaseUrl?: string): { env: NodeJS.ProcessEnv; untouchedDir: string } {
  const untouchedDir = join(tmpdir(), `cdb-untouched-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DATA_DIR: untouchedDir };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  return { env, untouchedDir };
}

/** A local TCP port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** DATABASE_URLs that must be refused before anything connects, each with a password to keep secret. */
const malformedUrls: { url: string; secret: string }[] = [
  { url: 'postgres://app:Pw-BadPort-1@db.example:99999/app', secret: 'Pw-BadPort-1' },
  { url: 'postgres://app:Pw#Hash-2@db.example:5432/app', secret: 'Hash-2' },
  { url: 'mysql://app:Pw-Scheme-3@db.example/app', secret: 'Pw-Scheme-3' },
  { url: 'postgres://app:Pw%zzEscape-4@db.example/app', secret: 'Escape-4' },
  { url: 'not a url Pw-Garbage-5', secret: 'Pw-Garbage-5' },
];

/**
 * Registers the hostile-use tests every command must pass: unknown flags and stray arguments,
 * malformed DATABASE_URLs, an unreachable server, and (with a server) a missing database, a
 * missing role and a distinctive password. Each gets exit 2 and one line; nothing is written; the
 * password never appears.
 */
export function describeHostileUse({ name, script, args = [] }: CommandUnderTest): void {
  const run = (extra: string[], env: NodeJS.ProcessEnv) => runInProcess(script, [...args, ...extra], env);

  describe(`${name} meets hostile use`, () => {
    it('--help prints usage and exits 0', async () => {
      const result = await run(['--help'], isolatedEnv().env);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout).toContain(`Usage: npm run ${name}`);
    });

    it('an unknown flag or a stray argument: exit 2, one line pointing to --help, nothing opened', async () => {
      const { env, untouchedDir } = isolatedEnv();
      const [flag, stray] = await Promise.all([run(['--no-such-flag'], env), run(['stray-argument'], env)]);
      expectCouldNotRun(flag ?? fail(), name, { mentions: ['--no-such-flag', `npm run ${name} -- --help`] });
      expectCouldNotRun(stray ?? fail(), name, { mentions: ['stray-argument', '--help'] });
      expect(existsSync(untouchedDir)).toBe(false);
    });

    it('a malformed DATABASE_URL: exit 2, one line on fixing DATABASE_URL, no password, nothing opened', async () => {
      const runs = malformedUrls.map(({ url, secret }) => ({ secret, ...isolatedEnv(url) }));
      const results = await Promise.all(runs.map(({ env }) => run([], env)));
      for (const [i, result] of results.entries()) {
        const { secret, untouchedDir } = runs[i] ?? fail();
        expectCouldNotRun(result, name, { mentions: ['DATABASE_URL'], secret });
        expect(existsSync(untouchedDir)).toBe(false);
      }
    });

    it('an unreachable server: exit 2, one line naming host and port to check, no password', async () => {
      const secret = 'Pw-Unreachable-6';
      const { env, untouchedDir } = isolatedEnv(
        `postgres://app:${secret}@127.0.0.1:${await closedPort()}/app`,
      );
      const result = await run([], env);
      expectCouldNotRun(result, name, { mentions: ['cannot reach', 'ECONNREFUSED', 'DATABASE_URL'], secret });
      expect(existsSync(untouchedDir)).toBe(false);
    });

    it.skipIf(!hasServer)(
      `a database that does not exist: exit 2, one line ${serverOnlyReason}`,
      async () => {
        const url = new URL(adminUrl());
        url.pathname = `/cdb_missing_${process.pid}`;
        const result = await run([], isolatedEnv(url.toString()).env);
        expectCouldNotRun(result, name, {
          mentions: [`cdb_missing_${process.pid}`, 'does not exist', 'DATABASE_URL'],
        });
      },
    );

    it.skipIf(!hasServer)(
      `a role that does not exist: exit 2, one line, no password ${serverOnlyReason}`,
      async () => {
        const secret = 'Pw-NoSuchRole-7';
        const url = new URL(adminUrl());
        url.username = 'cdb_no_such_role';
        url.password = secret;
        const result = await run([], isolatedEnv(url.toString()).env);
        expectCouldNotRun(result, name, { mentions: ['cdb_no_such_role', 'DATABASE_URL'], secret });
      },
    );

    it.skipIf(!hasServer)(`a distinctive password is never printed ${serverOnlyReason}`, async () => {
      const database = await createTestDatabase(`hostile-${name}`);
      try {
        const secret = 'Pw-RealServer-8';
        const url = new URL(database.url ?? fail());
        url.password = secret;
        const result = await run([], { ...database.env, DATABASE_URL: url.toString() });
        // Trust auth ignores the password and the command runs; password auth refuses it (exit 2).
        expect([0, 1, 2]).toContain(result.code);
        expect(result.stdout + result.stderr).not.toContain(secret);
        if (result.code !== 0) expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      } finally {
        await database.drop();
      }
    });
  });
}

function adminUrl(): string {
  if (testServer.mode !== 'server') throw new Error('server mode only');
  return testServer.adminUrl;
}

function fail(): never {
  throw new Error('missing value');
}
