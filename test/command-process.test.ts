import { spawn } from 'node:child_process';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { legacyBaselineTag } from '../src/deploy/legacy-baseline-tag.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { moveProgress } from '../src/operator/commands/progress.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { insertLegacyDataset, type MoveProgress } from '../src/operator/legacy-move/index.js';
import { moverLockName } from '../src/operator/legacy-move/mapping.js';
import { commands, operatorCommands } from '../src/repo/commands/index.js';
import { installedBin } from './support/installed-bin.js';
import { count } from './support/legacy-rows.js';
import { repoRoot, run, runScript } from './support/run.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

// What only a real process shows: the scripts/ shims and the bin start, and Ctrl-C. Everything else
// about the commands is tested in process (runInProcess).

const scriptOf = (name: string) => (name === 'docs:er' ? 'er-diagram.ts' : `${name.replace(':', '-')}.ts`);

describe('every command as a process', () => {
  // Concurrent (at most vitest's maxConcurrency at once): independent processes, which can use the core the
  // other test file leaves idle while it waits for the server.
  it.concurrent.for(commands.map((c) => c.name))(
    'npm run %s -- --help: usage on stdout, exit 0',
    async (name, { expect }) => {
      const result = await runScript(scriptOf(name), ['--help'], process.env);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^Usage: npm run ${name}\\b`));
    },
  );

  it('conversations-db lists every command, and refuses an unknown one (exit 2)', async () => {
    // The bin as it ships (compiled, from the run's one pack): the same main.ts, started in a third of tsx's CPU.
    const bin = async (args: string[]) => run(process.execPath, [await installedBin(), ...args], process.env);
    const [list, unknown] = await Promise.all([bin(['--help']), bin(['db:nope'])]);
    expect(list.code).toBe(0);
    for (const command of operatorCommands) expect(list.stdout).toContain(`  ${command.name} `);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^conversations-db: unknown command "db:nope"\. Commands: db:migrate, /);
  });
});

describe('Ctrl-C', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    if (!hasServer) return;
    database = await createTestDatabase('command_sigint');
    handle = await database.open({ maxConnections: 1 });
    // Legacy rows written before the expand step, as in production: the sync moves later writes only.
    await migrateDatabase(handle.db, { to: legacyBaselineTag });
    await insertLegacyDataset(handle.db, { sessions: 8, messagesPerSession: 2, seed: 5 });
    await migrateDatabase(handle.db, { to: expandStepTag() });
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it.skipIf(!hasServer)(
    `chats:migrate interrupted while it waits: one line saying what was kept, exit 130, nothing moved ${serverOnlyReason}`,
    async () => {
      const holder = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      try {
        const reserved = await holder.reserve();
        await reserved`select pg_advisory_lock(hashtextextended(${moverLockName}, 0))`;
        // The shipped bin: Ctrl-C is runAsProcess's, the same for the bin and the scripts/ shims.
        const child = spawn(process.execPath, [await installedBin(), 'chats:migrate', '--wait'], {
          cwd: repoRoot,
          env: database.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
        });
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
        });
        const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
        // The point the test controls: the mover queues on the move lock this session holds.
        for (;;) {
          const [row] = await reserved<{ n: number }[]>`
            select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and not l.granted and a.datname = current_database()
              and a.application_name = 'conversations-db'`;
          if (row?.n === 1) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        child.kill('SIGINT');
        expect(await exit).toBe(130);
        expect(stdout).toBe('');
        expect(stderr).toBe(
          '\nchats:migrate: interrupted (Ctrl-C): the batches already committed are kept and the interrupted one was rolled back. Run `npm run chats:migrate` again: it resumes.\n',
        );
        await reserved`select pg_advisory_unlock(hashtextextended(${moverLockName}, 0))`;
        reserved.release();
        expect(await count(handle.db, 'conversations')).toBe(0);
      } finally {
        await holder.end();
      }
    },
  );
});

describe('progress outside a terminal', () => {
  const progressAt = (done: number): MoveProgress => ({
    phase: 'messages',
    done,
    total: 1000,
    rowsPerSecond: 50,
    etaSeconds: (1000 - done) / 50,
  });

  it('a plain line every 5 s of the clock, none in between, nothing redrawn', () => {
    let now = 0;
    let stderr = '';
    const reporter = moveProgress(
      {
        stdout: { write: () => {} },
        stderr: {
          write: (text) => {
            stderr += text;
          },
        },
        env: {},
        isTTY: { stdout: false, stderr: false },
        cwd: repoRoot,
        now: () => now,
      },
      'chats:migrate',
    );
    for (const [at, done] of [
      [1000, 100],
      [4999, 200],
      [5000, 250],
      [9000, 450],
      [10000, 500],
    ] as const) {
      now = at;
      reporter.onProgress(progressAt(done));
    }
    reporter.finish();
    expect(stderr).toBe(
      'chats:migrate: messages: 250/1000 legacy rows (25.0%), 50 rows/s, ETA 15s\n' +
        'chats:migrate: messages: 500/1000 legacy rows (50.0%), 50 rows/s, ETA 10s\n',
    );
  });
});
