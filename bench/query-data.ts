import type postgres from 'postgres';
import { removeSync } from './lib/sync.js';
import { runSeedStep3 } from './seed-step3.js';

/**
 * Turns a loaded legacy database into the hot-query data set: seed 000 Step 3 moves the data, then
 * deterministic (hash-based) extras make the queries meaningful: every conversation gets two or three
 * more user participants with a last_read_at somewhere in the conversation (or NULL: never read), and
 * a fifth of the conversations are archived or closed.
 */
export async function buildQueryData(sql: postgres.Sql): Promise<void> {
  // The hot-query data set is the new tables alone: the legacy ones are dropped after the move.
  await removeSync(sql);
  await runSeedStep3(sql);
  const [{ users } = { users: 0 }] = await sql<{ users: number }[]>`select count(*)::int as users from users`;
  await sql.unsafe(`
    INSERT INTO conversation_participants (conversation_id, user_id, participant_type, role, last_read_at)
    SELECT c.id, 'user-' || (1 + abs(hashtext(c.id::text || k)) % ${users}), 'employee', 'participant',
           CASE WHEN abs(hashtext(c.id::text || k || 'r')) % 4 = 0 THEN NULL
                ELSE c.created_at + (abs(hashtext(c.id::text || k || 't')) % 90) * interval '1 day' END
    FROM conversations c, generate_series(1, 2 + abs(hashtext(c.id::text)) % 2) k
    ON CONFLICT DO NOTHING`);
  await sql.unsafe(`
    UPDATE conversations SET status = CASE WHEN abs(hashtext(id::text || 's')) % 10 = 0 THEN 'closed'
                                           ELSE 'archived' END::conversation_status
    WHERE abs(hashtext(id::text || 's')) % 5 = 0`);
  await sql.unsafe('VACUUM ANALYZE');
}
