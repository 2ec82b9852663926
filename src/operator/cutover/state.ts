import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';
import type { OrphanPolicy } from '../legacy-move/options.js';

/** What legacy_chat_cutover records: the orphan policy the sync applies, and the go-live marker. */
export interface CutoverState {
  orphanPolicy: OrphanPolicy | null;
  assignMoveId: string | null;
  policySetAt: Date | null;
  liveAt: Date | null;
}

const empty: CutoverState = { orphanPolicy: null, assignMoveId: null, policySetAt: null, liveAt: null };

/** The recorded state; all NULL before chats:migrate ran, and when the table does not exist (yet, or any more). */
export async function readCutoverState(db: Queryable): Promise<CutoverState> {
  const [present] = await queryRows<{ ok: boolean }>(
    db,
    sql`select pg_catalog.to_regclass('public.legacy_chat_cutover') is not null as ok`,
  );
  if (!present?.ok) return empty;
  const [row] = await queryRows<{
    orphan_policy: OrphanPolicy | null;
    assign_move_id: string | null;
    policy_set_at: string | null;
    live_at: string | null;
  }>(
    db,
    sql`select orphan_policy, assign_move_id::text as assign_move_id,
               policy_set_at::text as policy_set_at, live_at::text as live_at
        from legacy_chat_cutover`,
  );
  if (!row) return empty;
  const date = (text: string | null) => (text === null ? null : new Date(text));
  return {
    orphanPolicy: row.orphan_policy,
    assignMoveId: row.assign_move_id,
    policySetAt: date(row.policy_set_at),
    liveAt: date(row.live_at),
  };
}

/** Records the orphan policy chats:migrate runs with, so the sync treats an old-app orphan the same way. */
export async function recordOrphanPolicy(
  db: Queryable,
  policy: OrphanPolicy,
  assignMoveId: string | undefined,
): Promise<void> {
  await db.execute(sql`
    insert into legacy_chat_cutover as s (singleton, orphan_policy, assign_move_id, policy_set_at)
    values (true, ${policy}, ${assignMoveId ?? null}::uuid, pg_catalog.now())
    on conflict (singleton) do update set
      orphan_policy = excluded.orphan_policy, assign_move_id = excluded.assign_move_id,
      policy_set_at = excluded.policy_set_at
    where (s.orphan_policy, s.assign_move_id) is distinct from (excluded.orphan_policy, excluded.assign_move_id)`);
}

/**
 * The go-live marker (chats:cutover): the new app is live, and from now on the new tables win. Set once;
 * a second call keeps the first time and returns it.
 */
export async function markGoLive(db: Queryable): Promise<{ liveAt: Date; already: boolean }> {
  const [row] = await queryRows<{ live_at: string; already: boolean }>(
    db,
    sql`with before as (select live_at from legacy_chat_cutover),
         marked as (
           insert into legacy_chat_cutover as s (singleton, live_at) values (true, pg_catalog.now())
           on conflict (singleton) do update set live_at = coalesce(s.live_at, excluded.live_at)
           returning s.live_at)
        select live_at::text as live_at, coalesce((select b.live_at is not null from before b), false) as already
        from marked`,
  );
  if (!row) throw new Error('chats:cutover: the go-live marker was not written.');
  return { liveAt: new Date(row.live_at), already: row.already };
}
