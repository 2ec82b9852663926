import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { insertLegacyDataset, type MoveReport } from '../src/operator/legacy-move/index.js';
import { count, removeSync } from './support/legacy-rows.js';
import { runInProcess } from './support/run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// The chats:* commands as an operator runs them: flags, output, exit codes, the JSON report.

let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cdb-commands-'));
  database = await createTestDatabase('move_commands', { at: 'expanded' });
  const handle = await database.open({ maxConnections: 1 });
  try {
    await removeSync(handle.db); // the mover's own test: rows reach the new tables through chats:migrate only
    await insertLegacyDataset(handle.db, { sessions: 40, messagesPerSession: 3, seed: 7 });
  } finally {
    await handle.close();
  }
});

afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('flags', () => {
  it.each(['chats-plan.ts', 'chats-migrate.ts', 'chats-validate.ts', 'chats-rollback.ts', 'demo.ts'])(
    '%s --help prints usage and exits 0',
    async (script) => {
      const result = await runInProcess(script, ['--help'], database.env);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: npm run (chats:\w+|demo)/);
    },
  );

  it.each([
    [['--batch-size', '0'], '--batch-size must be a positive whole number, not "0".'],
    [['--orphans', 'delete'], '--orphans must be one of archive, keep, assign, not "delete".'],
    [['--orphans', 'assign'], '--orphans=assign needs --move-id <uuid>.'],
    [['--nope'], "Unknown option '--nope'"],
  ])('chats:migrate %j exits 2 with a clear message', async (args, message) => {
    const result = await runInProcess('chats-migrate.ts', args, database.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('npm run chats:migrate -- --help');
  });
});

describe('plan, migrate, validate, rollback', () => {
  it('run end to end with the exit codes of the runbook', async () => {
    const plan = await runInProcess('chats-plan.ts', ['--json'], database.env);
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout) as { sessions: { total: number; orphans: number } };
    expect(planned.sessions).toMatchObject({ total: 40, orphans: 2 });

    const notYet = await runInProcess('chats-validate.ts', [], database.env);
    expect(notYet.code).toBe(1);
    expect(notYet.stdout).toContain('Validation FAILED');

    const reportFile = join(dir, 'report.json');
    const migrate = await runInProcess(
      'chats-migrate.ts',
      ['--batch-size', '7', '--report', reportFile],
      database.env,
    );
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('chat_sessions -> conversations');
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MoveReport;
    expect(report.legacy.sessions).toBe(40);
    expect(report.moved.conversations).toBe(38);
    expect(report.counts.conversationsInserted).toBe(38);
    expect(report.notMoved.sessions).toHaveLength(2);
    expect(report.notMoved.sessions.every((s) => s.reason === 'archived: the session has no move')).toBe(
      true,
    );
    expect(report.notMoved.byReason['archived: the session has no move']?.sessions).toBe(2);

    const valid = await runInProcess('chats-validate.ts', [], database.env);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('Validation passed');
    expect(valid.stdout).toMatch(/chat_sessions\s+40\s+38\s+2\s+0/);

    const handle = await database.open({ maxConnections: 1 });
    let altered: string | undefined;
    try {
      const [row] = await queryRows<{ id: string }>(
        handle.db,
        sql`update messages set model = 'tampered' where id = (select min(id::text)::uuid from messages) returning id::text`,
      );
      altered = row?.id;
    } finally {
      await handle.close();
    }
    expect(altered).toBeDefined();
    const invalid = await runInProcess('chats-validate.ts', ['--json'], database.env);
    expect(invalid.code).toBe(1);
    const failed = (
      JSON.parse(invalid.stdout) as { checks: { ok: boolean; failingIds: string[] }[] }
    ).checks.filter((c) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.failingIds).toEqual([altered]);

    const rollback = await runInProcess('chats-rollback.ts', [], database.env);
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('removed 38 conversations');
    const after = await database.open({ maxConnections: 1 });
    try {
      expect(await count(after.db, 'conversations')).toBe(0);
      expect(await count(after.db, 'chat_sessions')).toBe(40);
    } finally {
      await after.close();
    }
  });
});
