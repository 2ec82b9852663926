import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { goLive } from '../src/operator/cutover/index.js';
import { moveLegacyChats } from '../src/operator/legacy-move/index.js';
import { legacyThenExpanded } from './support/cutover.js';
import { runInProcess } from './support/run.js';
import type { TestDatabase } from './support/test-database.js';

// chats:status and chats:cutover as an operator runs them: output, exit codes, refusals that change
// nothing. Each test brings its database to its phase through the library, then runs the command.

let database: TestDatabase;
let handle: DatabaseHandle | undefined;

beforeEach(async () => {
  const opened = await legacyThenExpanded('cutover_commands', {
    sessions: 12,
    messagesPerSession: 3,
    seed: 9,
  });
  database = opened.database;
  handle = opened.handle;
});

afterEach(async () => {
  await handle?.close();
  await database?.drop();
});

/** Runs a command with the test's connection closed (PGlite: one process at a time). */
async function command(script: string, args: string[] = []) {
  await handle?.close();
  handle = undefined;
  return runInProcess(script, args, database.env);
}

async function db(): Promise<DatabaseHandle> {
  handle ??= await database.open({ maxConnections: 1 });
  return handle;
}

const liveAt = async () =>
  (
    await queryRows<{ live_at: string | null }>(
      (
        await db()
      ).db,
      sql`select live_at::text from legacy_chat_cutover`,
    )
  )[0]?.live_at;

describe('chats:status', () => {
  it('at the expand step: phase expand, sync on, the next step named', async () => {
    const result = await command('chats-status.ts');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Phase: expand\nSync: on');
    expect(result.stdout).toContain('next: npm run chats:migrate');
  });

  it('live with a trigger disabled: exit 1, the trigger named, the time since go-live shown', async () => {
    await moveLegacyChats((await db()).db);
    await goLive((await db()).db);
    await (await db()).db.execute(sql`alter table messages disable trigger legacy_chat_sync_reverse`);
    const result = await command('chats-status.ts', ['--json']);
    expect(result.code).toBe(1);
    const status = JSON.parse(result.stdout) as {
      phase: string;
      sync: string;
      triggers: { table: string; enabled: boolean }[];
      liveForSeconds: number;
    };
    expect(status).toMatchObject({ phase: 'live', sync: 'broken' });
    expect(status.triggers.filter((t) => !t.enabled).map((t) => t.table)).toEqual(['messages']);
    expect(status.liveForSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('chats:cutover', () => {
  it('before chats:migrate: refused in one line, exit 2, nothing written', async () => {
    const result = await command('chats-cutover.ts');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'chats:cutover: refused: chats:migrate has not run yet, so the rows written before the expand step are not in the new tables. Run `npm run chats:migrate`, then chats:cutover again. Nothing was changed.\n',
    );
    expect(await liveAt()).toBeUndefined();
  });

  it('after the backfill: marks go-live once; a second run keeps the first time', async () => {
    await moveLegacyChats((await db()).db);
    const first = await command('chats-cutover.ts');
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toContain('The new app is live since');
    const marked = await liveAt();
    expect(marked).toBeTruthy();
    const again = await command('chats-cutover.ts');
    expect(again.stdout).toContain('(marked before; unchanged)');
    expect(await liveAt()).toBe(marked);
  });
});

describe('bad flags', () => {
  it('are refused before the database is touched (exit 2, one line)', async () => {
    for (const script of ['chats-status.ts', 'chats-cutover.ts']) {
      const result = await command(script, ['--nope']);
      expect({ script, code: result.code, lines: result.stderr.trim().split('\n').length }).toEqual({
        script,
        code: 2,
        lines: 1,
      });
      expect(result.stderr).toContain("Unknown option '--nope'");
    }
  });
});
