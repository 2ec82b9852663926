import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/app/database.js';
import { differenceAdvice } from '../src/operator/cutover/difference-advice.js';
import { moveLegacyChats } from '../src/operator/legacy-move/index.js';
import { insertMessage, insertMove, insertSession } from './support/legacy-rows.js';
import { runInProcess } from './support/run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// One definition of "accounted for" (legacy_chat_differences): the drop's guard, chats:validate and
// db:status --verify count the same rows and name the same step (src/operator/cutover/difference-advice.ts,
// which the guard's PL/pgSQL mirrors), and following that step gets the drop through. Each state
// below is one the old db:status count or the old advice got wrong.

const databases: TestDatabase[] = [];

afterEach(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

async function expanded(label: string, fill: (db: Database) => Promise<void>): Promise<TestDatabase> {
  const database = await createTestDatabase(label, { at: 'expanded' });
  databases.push(database);
  const handle = await database.open({ maxConnections: 1 });
  try {
    await fill(handle.db);
  } finally {
    await handle.close();
  }
  return database;
}

interface Verified {
  phase: string;
  next: string | null;
  summary: string;
  differences?: Record<string, number>;
}

async function verifiedStatus(database: TestDatabase): Promise<Verified> {
  const result = await runInProcess('db-status.ts', ['--verify', '--json'], database.env);
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as { position: Verified }).position;
}

/** The guard's refusal, as db:migrate prints it: "<message> hint: <advice>". */
async function guardRefusal(database: TestDatabase): Promise<string> {
  const result = await runInProcess('db-migrate.ts', [], database.env);
  expect(result.code).toBe(2);
  return result.stderr;
}

describe('the guard, the gate and db:status --verify agree', () => {
  it('a legacy message changed with the sync bypassed: the old count said "moved"; now all three find it', async () => {
    let messageId = '';
    const database = await expanded('advice_edited', async (db) => {
      const { moveId } = await insertMove(db, 'edited@example.com');
      const session = await insertSession(db, { moveId });
      messageId = await insertMessage(db, session, { content: 'before' });
      await moveLegacyChats(db);
      await db.transaction(async (tx) => {
        // The sync's marker can no longer be forged (0015), so the bypass is replica mode: the sync's
        // triggers stay silent, as for a logical-replication apply.
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.execute(
          sql`update chat_messages set content = 'edited behind the sync' where id = ${messageId}::uuid`,
        );
      });
    });
    // Without --verify nothing is claimed beyond what the cutover recorded.
    const plain = await runInProcess('db-status.ts', ['--json'], database.env);
    const position = (JSON.parse(plain.stdout) as { position: Verified }).position;
    expect(position).toMatchObject({ phase: 'moved', next: 'npm run db:migrate' });
    expect(position.summary).not.toContain('Every legacy row is moved');

    const verified = await verifiedStatus(database);
    expect(verified).toMatchObject({
      phase: 'expanded',
      next: 'npm run chats:migrate',
      differences: { 'message-different': 1 },
    });
    const advice = differenceAdvice({ 'message-different': 1 }, 'archive').sentences.join(' ');
    expect(verified.summary).toContain(advice);
    const refusal = await guardRefusal(database);
    expect(refusal).toContain('(1 message-different)');
    expect(refusal).toContain(`hint: ${advice} Then run the migration again.`);
    const validate = await runInProcess('chats-validate.ts', [], database.env);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`Validation FAILED. ${advice}`);

    // The step named works: chats:migrate converges, and the drop goes through.
    expect((await runInProcess('chats-migrate.ts', [], database.env)).code).toBe(0);
    expect(await verifiedStatus(database)).toMatchObject({ phase: 'moved', differences: {} });
    expect((await runInProcess('db-migrate.ts', [], database.env)).code).toBe(0);
  });

  it('orphans kept by --orphans keep: the refusal names them and another policy, not chats:migrate again', async () => {
    const database = await expanded('advice_kept', async (db) => {
      const { moveId } = await insertMove(db, 'kept@example.com');
      await insertMessage(db, await insertSession(db, { moveId }));
      await insertMessage(db, await insertSession(db, { moveId: null }));
      await insertMessage(db, await insertSession(db, { moveId: null }));
    });
    expect((await runInProcess('chats-migrate.ts', ['--orphans', 'keep'], database.env)).code).toBe(0);

    const advice = differenceAdvice({ 'orphan-not-archived': 2 }, 'keep');
    expect(advice.next).toBe('npm run chats:migrate -- --orphans archive');
    expect(advice.sentences.join(' ')).toContain('2 orphan sessions kept by `chats:migrate --orphans keep`');
    const refusal = await guardRefusal(database);
    expect(refusal).toContain('(2 orphan-not-archived)');
    expect(refusal).toContain(`hint: ${advice.sentences.join(' ')} Then run the migration again.`);
    expect(await verifiedStatus(database)).toMatchObject({ phase: 'expanded', next: advice.next });
    // The gate under keep passes (the orphans are accounted for) but says the drop will not.
    const validate = await runInProcess('chats-validate.ts', ['--orphans', 'keep'], database.env);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(
      `Validation passed under --orphans keep, but the drop refuses while kept orphans remain: ${advice.sentences.join(' ')}`,
    );

    expect((await runInProcess('chats-migrate.ts', ['--orphans', 'archive'], database.env)).code).toBe(0);
    expect((await runInProcess('db-migrate.ts', [], database.env)).code).toBe(0);
  });

  it('a message whose session is missing: a hand fix is named, no command that changes nothing', async () => {
    const database = await expanded('advice_no_session', async (db) => {
      const { moveId } = await insertMove(db, 'lost@example.com');
      await insertMessage(db, await insertSession(db, { moveId }));
      await moveLegacyChats(db);
      await db.transaction(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await insertMessage(tx, '00000000-0000-4000-8000-00000000dead');
      });
    });
    const advice = differenceAdvice({ 'message-without-session': 1 }, 'archive');
    expect(advice.next).toBeNull();
    expect(advice.sentences.join(' ')).toContain('1 legacy message has no session');
    const refusal = await guardRefusal(database);
    expect(refusal).toContain('(1 message-without-session)');
    expect(refusal).toContain(`hint: ${advice.sentences.join(' ')} Then run the migration again.`);
    expect(refusal).not.toContain('npm run chats:migrate');
    expect(await verifiedStatus(database)).toMatchObject({ phase: 'expanded', next: null });
    const text = await runInProcess('db-status.ts', ['--verify'], database.env);
    expect(text.stdout).toContain('Next: no command: the fix is by hand (see the phase above).');
    const validate = await runInProcess('chats-validate.ts', [], database.env);
    expect(validate.stdout).toContain(`Validation FAILED. ${advice.sentences.join(' ')}`);
  });
});
