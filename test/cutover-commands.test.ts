import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/database.js';
import { legacyThenExpanded } from './support/cutover.js';
import { runScript } from './support/run.js';
import type { TestDatabase } from './support/test-database.js';

// chats:status and chats:cutover as an operator runs them: output, exit codes, refusals that change nothing.
// One database walked through the phases in order (the steps depend on each other on purpose).

let database: TestDatabase;

beforeAll(async () => {
  const opened = await legacyThenExpanded('cutover_commands', {
    sessions: 12,
    messagesPerSession: 3,
    seed: 9,
  });
  database = opened.database;
  await opened.handle.close();
});

afterAll(async () => {
  await database?.drop();
});

const liveAt = async () => {
  const handle = await database.open({ maxConnections: 1 });
  try {
    return (
      await queryRows<{ live_at: string | null }>(
        handle.db,
        sql`select live_at::text from legacy_chat_cutover`,
      )
    )[0]?.live_at;
  } finally {
    await handle.close();
  }
};

describe('chats:status and chats:cutover', () => {
  it('walk the phases: expand, refused go-live, backfill, live; a disabled trigger is exit 1', async () => {
    const expand = await runScript('chats-status.ts', [], database.env);
    expect({ code: expand.code, stderr: expand.stderr }).toEqual({ code: 0, stderr: '' });
    expect(expand.stdout).toContain('Phase: expand\nSync: on');
    expect(expand.stdout).toContain('next: npm run chats:migrate');

    const early = await runScript('chats-cutover.ts', [], database.env);
    expect(early.code).toBe(2);
    expect(early.stderr).toBe(
      'chats:cutover: refused: chats:migrate has not run yet, so the rows written before the expand step are not in the new tables. Run `npm run chats:migrate`, then chats:cutover again. Nothing was changed.\n',
    );
    expect(await liveAt()).toBeUndefined();

    expect((await runScript('chats-migrate.ts', [], database.env)).code).toBe(0);
    const backfill = JSON.parse((await runScript('chats-status.ts', ['--json'], database.env)).stdout) as {
      phase: string;
      sync: string;
      orphanPolicy: string;
    };
    expect(backfill).toMatchObject({ phase: 'backfill', sync: 'on', orphanPolicy: 'archive' });

    const live = await runScript('chats-cutover.ts', [], database.env);
    expect(live.code).toBe(0);
    expect(live.stdout).toContain('The new app is live since');
    const marked = await liveAt();
    expect(marked).toBeTruthy();
    const again = await runScript('chats-cutover.ts', [], database.env);
    expect(again.stdout).toContain('(marked before; unchanged)');
    expect(await liveAt()).toBe(marked);
    expect((await runScript('chats-status.ts', [], database.env)).stdout).toMatch(
      /Phase: live\n[\s\S]*Live since .* ago\)/,
    );

    const handle = await database.open({ maxConnections: 1 });
    try {
      await handle.db.execute(sql`alter table messages disable trigger legacy_chat_sync_reverse`);
    } finally {
      await handle.close();
    }
    const broken = await runScript('chats-status.ts', [], database.env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('Sync: broken');
    expect(broken.stdout).toContain('legacy_chat_sync_reverse on messages: DISABLED');
  });

  it('refuse bad flags before touching the database (exit 2, one line)', async () => {
    for (const script of ['chats-status.ts', 'chats-cutover.ts']) {
      const result = await runScript(script, ['--nope'], database.env);
      expect({ script, code: result.code, lines: result.stderr.trim().split('\n').length }).toEqual({
        script,
        code: 2,
        lines: 1,
      });
      expect(result.stderr).toContain("Unknown option '--nope'");
    }
  });
});
