import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { runScript } from './support/run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// live-catalog: what drizzle-kit's diff cannot see, against the chain applied to an empty embedded
// database. The database is broken by hand the ways an operator or an attacker would, db:check must
// name each break, and running the fixes it prints must make it clean again.

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('db_check_catalog');
  const handle = await database.open({ maxConnections: 1 });
  try {
    await migrateDatabase(handle.db);
  } finally {
    await handle.close();
  }
});

afterAll(async () => {
  await database.drop();
});

async function execute(statements: string[]): Promise<void> {
  const handle = await database.open({ maxConnections: 1 });
  try {
    for (const statement of statements) await handle.db.execute(sql.raw(statement));
  } finally {
    await handle.close();
  }
}

const checks = ['--only', 'live-schema,live-catalog'];

describe('db:check live-catalog', () => {
  it('names a dropped trigger, a changed function, revoked and extra grants, disabled RLS and a dropped policy, and its fixes repair them', async () => {
    await execute([
      'DROP TRIGGER conversations_touch_updated_at ON conversations',
      'ALTER FUNCTION conversations_security.current_user_postable_conversation_ids() SECURITY INVOKER',
      "CREATE OR REPLACE FUNCTION conversations_security.current_user_id() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT 'everyone' $$",
      'REVOKE INSERT ON messages FROM conversations_app',
      'GRANT EXECUTE ON FUNCTION conversations_security.current_user_conversation_ids() TO PUBLIC',
      'ALTER TABLE messages DISABLE ROW LEVEL SECURITY',
      'DROP POLICY messages_insert_as_self ON messages',
    ]);
    const drift = await runScript('db-check.ts', checks, database.env);
    expect(drift.code).toBe(1);
    const lines = drift.stdout.split('\n').filter((line) => line.startsWith('live-'));
    const about = (text: string) => lines.filter((line) => line.includes(text));
    expect(about('trigger conversations_touch_updated_at on conversations is missing')).toHaveLength(1);
    expect(
      about(
        "function conversations_security.current_user_postable_conversation_ids() differs from the chain's: SECURITY INVOKER (the chain says DEFINER)",
      ),
    ).toHaveLength(1);
    expect(
      about("function conversations_security.current_user_id() differs from the chain's: its body"),
    ).toHaveLength(1);
    expect(about('grant TABLE "messages" conversations_app INSERT is missing')).toHaveLength(1);
    expect(about('PUBLIC EXECUTE is not made by any migration')).toHaveLength(1);
    expect(about('row-level security on messages is disabled')).toHaveLength(1);
    // The policy's fix is the whole policy, WITH CHECK included (drizzle-kit's would open the table).
    const policy = about('policy messages_insert_as_self on messages is missing');
    expect(policy).toHaveLength(1);
    expect(policy[0]).toMatch(/WITH CHECK \(.*current_user_postable_conversation_ids\(\).*\);$/);
    expect(lines).toHaveLength(7);

    const fixes = lines.map((line) => /Fix: run: (.*)$/s.exec(line)?.[1] ?? '');
    expect(fixes.every(Boolean)).toBe(true);
    await execute(fixes);
    const repaired = await runScript('db-check.ts', checks, database.env);
    expect(repaired.stdout).toMatch(/^db:check: clean/);
    expect(repaired.code).toBe(0);
    // Two db:check runs, each applying the whole chain to an embedded reference database: minutes of
    // work on a loaded machine, not a race.
  }, 300_000);
});
