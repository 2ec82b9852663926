import { sql } from 'drizzle-orm';
import { conversationMessagesQuery } from '../src/app/queries/index.js';
import { withUser } from '../src/app/security/with-user.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { openDatabase } from '../src/operator/connect.js';
import type { BenchServer } from './lib/server.js';
import { percentile } from './lib/stats.js';

/** How a user's conversation count weighs on the policies: the newest 50 messages of one conversation. */
export interface WideUserRow {
  conversations: number;
  owner: { p50: number; p95: number };
  app: { p50: number; p95: number };
}

export const wideUserSizes = [100, 1_000, 10_000, 100_000] as const;
const read = '00000000-0000-4000-8000-000000000001';

/**
 * One user takes part in N of 100,000 conversations (the rest belong to 10,000 other users); each run
 * reads the newest 50 of the 1,000 messages of one of them, as the owner and as that user through
 * withUser (statement time), interleaved. The policies hash the user's whole conversation set once
 * per query, so the app role's time grows with N while the owner's does not.
 */
export async function benchWideUser(server: BenchServer, runs: number): Promise<WideUserRow[]> {
  const name = 'bench_rls_wide';
  await server.create(name);
  const handle = await openDatabase({ url: server.urlOf(name), maxConnections: 1 });
  const { db } = handle;
  try {
    await migrateDatabase(db);
    for (const statement of [
      sql`insert into users (id, email) select 'u' || i, 'u' || i || '@example.com' from generate_series(0, 10000) i`,
      sql`insert into employees (id, email) values ('10000000-0000-4000-8000-000000000001', 'e@example.com')`,
      sql`insert into moves (id, employee_id) values ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001')`,
      sql`insert into conversations (id, move_id)
          select ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, '20000000-0000-4000-8000-000000000001'
          from generate_series(1, 100000) i`,
      sql`insert into messages (conversation_id, content, created_at)
          select ${read}::uuid, 'message ' || i, timestamptz '2025-01-01' + i * interval '1 minute'
          from generate_series(1, 1000) i`,
    ]) {
      await db.execute(statement);
    }
    const rows: WideUserRow[] = [];
    for (const size of wideUserSizes) {
      // u0 takes part in conversations 1..size; every other conversation has one of u1..u10000.
      await db.execute(sql`truncate conversation_participants`);
      await db.execute(sql`
        insert into conversation_participants (conversation_id, user_id, participant_type)
        select ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
               case when i <= ${size} then 'u0' else 'u' || (1 + i % 10000) end, 'employee'
        from generate_series(1, 100000) i`);
      await db.execute(sql`vacuum analyze conversation_participants`);
      const owner: number[] = [];
      const app: number[] = [];
      for (let i = 0; i < runs + 10; i++) {
        const t0 = performance.now();
        await conversationMessagesQuery(db, { conversationId: read });
        const ownerMs = performance.now() - t0;
        let appMs = 0;
        await withUser(db, 'u0', async (tx) => {
          const t1 = performance.now();
          await conversationMessagesQuery(tx, { conversationId: read });
          appMs = performance.now() - t1;
        });
        if (i < 10) continue;
        owner.push(ownerMs);
        app.push(appMs);
      }
      rows.push({
        conversations: size,
        owner: { p50: percentile(owner, 50), p95: percentile(owner, 95) },
        app: { p50: percentile(app, 50), p95: percentile(app, 95) },
      });
    }
    return rows;
  } finally {
    await handle.close();
    await server.drop(name);
  }
}
