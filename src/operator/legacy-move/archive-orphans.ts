import { sql } from 'drizzle-orm';
import { type Queryable, queryRow, queryRows } from '../../app/database.js';
import { type FoundWork, holdsKeyIn, recordFoundWork } from './found-work.js';
import { orphanArchiveReason } from './mapping.js';
import { inRange, type KeyRange } from './sql-range.js';

/** An orphan: a legacy session without a move that the move did not attach to one. */
export const orphanFilter = sql`t.move_id is null
  and not exists (select 1 from legacy_chat_moved_sessions l where l.session_id = t.id)`;

/**
 * The legacy image of each session as the archive stores it: the row as jsonb, and its messages as a
 * jsonb array ordered by (created_at, id). Columns: session_id, session, messages. `sessionFilter`
 * is applied to chat_sessions aliased t. Messages are aggregated in one pass (chat_messages has no
 * index on session_id, so a lookup per session would scan the table each time).
 */
export function archiveImage(sessionFilter: ReturnType<typeof sql>) {
  return sql`(
    select t.id as session_id, pg_catalog.to_jsonb(t) as session, coalesce(g.messages, '[]'::jsonb) as messages
    from chat_sessions t
    left join (
      select cm.session_id, pg_catalog.jsonb_agg(pg_catalog.to_jsonb(cm) order by cm.created_at, cm.id) as messages
      from chat_messages cm
      where cm.session_id in (select t.id from chat_sessions t where ${sessionFilter})
      group by cm.session_id
    ) g on g.session_id = t.id
    where ${sessionFilter}
  )`;
}

export interface ArchiveBatchCounts {
  archiveInserted: number;
  archiveUpdated: number;
}

/** The temporary table of the orphans a re-run must archive (orphansToArchive), the mover's connection's own. */
const orphansToArchiveWork: FoundWork = { name: 'legacy_chat_orphans_to_archive' };

/**
 * Records (found-work.ts) every orphan archiveOrphanBatch would write for (no archive row, or
 * one that differs from its image, as the batch compares them): one set-based pass, so a re-run runs
 * only the orphans batches holding one. An orphan whose row equals its image is left to the sync,
 * which keeps that row current (the policy is recorded before this pass). Returns how many.
 */
export async function orphansToArchive(tx: Queryable): Promise<number> {
  return recordFoundWork(
    tx,
    orphansToArchiveWork,
    sql`select img.session_id from ${archiveImage(orphanFilter)} img
        left join chat_session_archive a on a.session_id = img.session_id
        where a.session_id is null or (a.session, a.messages) is distinct from (img.session, img.messages)`,
  );
}

/** Whether the keys of `range` hold one of the search's. */
export function orphansToArchiveIn(tx: Queryable, range: KeyRange): Promise<boolean> {
  return holdsKeyIn(tx, orphansToArchiveWork, range);
}

/** --orphans=archive for one key range of orphan sessions: the session and its messages, with the reason. */
export async function archiveOrphanBatch(tx: Queryable, range: KeyRange): Promise<ArchiveBatchCounts> {
  // With the sync on, an old-app message written into one of these orphans must be in the image, or
  // find the archive row and be added to it by the sync: lock the sessions first (a message's foreign
  // key check waits for this batch, or this batch for the message), then read (READ COMMITTED: the
  // image below sees the messages this lock waited for).
  const locked = await queryRows<{ id: string }>(
    tx,
    sql`select t.id::text as id from chat_sessions t where ${orphanFilter} and ${inRange(sql`t.id`, range)}
        for update of t`,
  );
  if (locked.length === 0) return { archiveInserted: 0, archiveUpdated: 0 };
  // Only the sessions locked above are imaged. An orphan the old app committed after that lock (READ
  // COMMITTED: the image's snapshot would see it) is not locked: a message the old app writes into it
  // meanwhile adds itself to the archive row the sync made for the orphan, and while that write is
  // open, the image would miss it and then overwrite the row it waited for (the message was lost from
  // the archive: cutover-sync's two-writers test, 1 run in 8 under load). The sync archived that orphan
  // when it was inserted (the policy is recorded before any batch) and keeps its row.
  const ids = sql`${`{${locked.map((r) => r.id).join(',')}}`}::uuid[]`;
  const mine = sql`t.id = any(${ids}) and ${orphanFilter}`;
  // The same for an edit or delete of one of their messages, which takes no lock on the session: its
  // sync finds no archive row while this batch's insert is uncommitted, and the image would keep the
  // old message. Locked, the edit waits for this batch and then updates the archive row, or this
  // batch waits for the edit and the image sees it.
  await tx.execute(sql`select 1 from chat_messages cm where cm.session_id = any(${ids}) for share of cm`);
  const row = await queryRow<{ inserted: number; updated: number }>(
    tx,
    sql`
    with written as (
      insert into chat_session_archive as a (session_id, session, messages, reason)
      select img.session_id, img.session, img.messages, ${orphanArchiveReason}
      from ${archiveImage(mine)} img
      on conflict (session_id) do update set
        session = excluded.session, messages = excluded.messages, reason = excluded.reason
      where (a.session, a.messages) is distinct from (excluded.session, excluded.messages)
      returning (a.xmax = 0) as inserted
    )
    select (count(*) filter (where inserted))::int as inserted, (count(*) filter (where not inserted))::int as updated
    from written`,
  );
  return { archiveInserted: row.inserted, archiveUpdated: row.updated };
}

/**
 * Archive rows that no longer mirror an orphan: the session is gone from the legacy tables, or it
 * has a move now (it is then moved instead). The archive is the move's own table.
 */
export async function pruneArchive(tx: Queryable): Promise<number> {
  const row = await queryRow<{ n: number }>(
    tx,
    sql`
    with gone as (
      delete from chat_session_archive a
      where not exists (select 1 from chat_sessions t where t.id = a.session_id and ${orphanFilter})
      returning 1
    )
    select count(*)::int as n from gone`,
  );
  return row.n;
}
