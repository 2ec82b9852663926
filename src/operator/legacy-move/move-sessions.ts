import { sql } from 'drizzle-orm';
import { type Queryable, queryRow, queryRows } from '../../app/database.js';
import { type FoundWork, holdsKeyIn, recordFoundWork } from './found-work.js';
import { asUtc, nullTitleReplacement } from './mapping.js';
import { inferredOwners } from './owner-inference.js';
import { inRange, type KeyRange } from './sql-range.js';

/** The move's copy `cur` differs from the mapped legacy session `s` (columns move_id, title, inbox, address, created_at, updated_at). */
const conversationDiffers = (cur: string, s: string) =>
  sql.raw(`(${cur}.move_id, ${cur}.title, ${cur}.agent_mail_inbox_id, ${cur}.agent_mail_email_address, ${cur}.created_at,
                 ${cur}.updated_at)
                is distinct from (${s}.move_id, ${s}.title, ${s}.inbox, ${s}.address, ${s}.created_at, ${s}.updated_at)`);

/** The temporary table of the sessions a re-run must move (sessionsToMove), the mover's connection's own. */
const sessionsToMoveWork: FoundWork = { name: 'legacy_chat_sessions_to_move' };

/**
 * Records (found-work.ts) every session id moveSessionBatch would write for: a session to
 * create, and before go-live a copy or ledger row that differs, an AI participant or inferred owner
 * missing or changed, a copy whose session is gone or lost its move. One set-based pass (hash joins
 * over the whole tables), so a re-run runs only the batches holding one. Returns how many.
 */
export async function sessionsToMove(
  tx: Queryable,
  assignMoveId: string | undefined,
  live = false,
): Promise<number> {
  const assign = sql`${assignMoveId ?? null}::uuid`;
  const mappedMove = sql`coalesce(cs.move_id, l.assigned_move_id, ${assign})`;
  // The owner inference matches emails case-insensitively: hash joins, as in the batch.
  await tx.execute(sql`select set_config('work_mem', '64MB', true)`);
  return recordFoundWork(
    tx,
    sessionsToMoveWork,
    sql`
      select s.id from (
        select cs.id, ${mappedMove} as move_id, coalesce(cs.title, ${nullTitleReplacement}) as title,
               cs.agent_mail_inbox_id as inbox, cs.agent_mail_email_address as address,
               ${asUtc('cs.created_at')} as created_at, ${asUtc('cs.updated_at')} as updated_at,
               l.session_id is not null as moved, cs.title is null as title_was_null,
               case when cs.move_id is null then coalesce(l.assigned_move_id, ${assign}) end as assigned_move_id,
               l.title_was_null as ledger_title_was_null, l.assigned_move_id as ledger_assigned_move_id,
               l.owner_user_id as ledger_owner
        from chat_sessions cs
        left join legacy_chat_moved_sessions l on l.session_id = cs.id
      ) s
      left join conversations cur on cur.id = s.id
      left join ${inferredOwners()} o on o.move_id = s.move_id
      where s.move_id is not null
        and (cur.id is null
          or (s.moved and not ${live}::boolean
              and (${conversationDiffers('cur', 's')}
                or (s.ledger_title_was_null, s.ledger_assigned_move_id, s.ledger_owner)
                   is distinct from (s.title_was_null, s.assigned_move_id, o.user_id)
                or not exists (select 1 from conversation_participants p
                               where p.conversation_id = s.id and p.participant_type::text = 'ai' and p.user_id is null)
                or (o.user_id is not null
                    and not exists (select 1 from conversation_participants p
                                    where p.conversation_id = s.id and p.user_id = o.user_id)))))
      union
      select l.session_id from legacy_chat_moved_sessions l
      where not ${live}::boolean
        and not exists (select 1 from chat_sessions cs where cs.id = l.session_id and ${mappedMove} is not null)`,
  );
}

/** Whether the keys of `range` hold one of the search's. */
export function sessionsToMoveIn(tx: Queryable, range: KeyRange): Promise<boolean> {
  return holdsKeyIn(tx, sessionsToMoveWork, range);
}

export interface SessionBatchCounts {
  conversationsInserted: number;
  conversationsUpdated: number;
  conversationsDeleted: number;
  /** Moved conversations whose legacy session is gone but which hold messages the new app wrote: kept. */
  conversationsKept: string[];
  aiParticipantsInserted: number;
  ownersInserted: number;
  ownersRemoved: number;
}

/**
 * Sessions -> conversations for one key range of chat_sessions, seed 000 Step 3 mapping: same id,
 * type general, status active, created_by NULL, NULL title -> 'New Conversation', timestamps read as
 * UTC. Writes only rows that are new or differ, deletes the move's copies whose session is gone (or
 * lost its move), records the ledger, one AI participant, and the inferred employee owner.
 * `assignMoveId`: the move orphan sessions are attached to (--orphans=assign), else undefined.
 */
export async function moveSessionBatch(
  tx: Queryable,
  range: KeyRange,
  assignMoveId: string | undefined,
  live = false,
): Promise<SessionBatchCounts> {
  // With the sync on, an old-app message written into a session of this range must either see the
  // conversation this batch creates (the sync then moves it) or be committed before this batch, so a
  // later message batch sees it. Row locks on the batch's sessions order the two: the message's foreign
  // key check (FOR KEY SHARE on its session) waits for this batch, or this batch waits for the message.
  await tx.execute(sql`select 1 from chat_sessions cs where ${inRange(sql`cs.id`, range)} for update`);
  const assign = sql`${assignMoveId ?? null}::uuid`;
  const mappedMove = sql`coalesce(cs.move_id, l.assigned_move_id, ${assign})`;

  const written = await queryRows<{ id: string; inserted: boolean }>(
    tx,
    sql`
    insert into conversations as c (id, move_id, title, type, status, created_by,
      agent_mail_inbox_id, agent_mail_email_address, created_at, updated_at)
    select s.id, s.move_id, s.title, 'general', 'active', null, s.inbox, s.address, s.created_at, s.updated_at
    from (
      select cs.id, ${mappedMove} as move_id, coalesce(cs.title, ${nullTitleReplacement}) as title,
             cs.agent_mail_inbox_id as inbox, cs.agent_mail_email_address as address,
             ${asUtc('cs.created_at')} as created_at, ${asUtc('cs.updated_at')} as updated_at,
             l.session_id is not null as moved
      from chat_sessions cs
      left join legacy_chat_moved_sessions l on l.session_id = cs.id
      where ${inRange(sql`cs.id`, range)}
    ) s
    left join conversations cur on cur.id = s.id
    where s.move_id is not null
      and (cur.id is null
        -- Only the move's own copies are rewritten, and only before go-live: a conversation the new
        -- app created (no ledger row) is its own, and after go-live the new tables win. type, status
        -- and created_by are the new app's from the first write on (the legacy shape has no such fields).
        or (s.moved and not ${live}::boolean
            and ${conversationDiffers('cur', 's')}))
    on conflict (id) do update set
      move_id = excluded.move_id, title = excluded.title, agent_mail_inbox_id = excluded.agent_mail_inbox_id,
      agent_mail_email_address = excluded.agent_mail_email_address,
      created_at = excluded.created_at, updated_at = excluded.updated_at
    returning c.id::text as id, (c.xmax = 0) as inserted`,
  );
  const updatedIds = written.filter((r) => !r.inserted).map((r) => r.id);
  if (updatedIds.length > 0) {
    // The updated_at trigger (migration 0002) stamps now() on an UPDATE that leaves updated_at as it
    // was; a legacy edit that kept its updated_at must still be copied exactly, so set it once more
    // (now it differs from now(), and the trigger keeps it).
    await tx.execute(sql`
      update conversations c set updated_at = ${asUtc('cs.updated_at')}
      from chat_sessions cs
      where cs.id = c.id and c.id = any(${`{${updatedIds.join(',')}}`}::uuid[])
        and c.updated_at is distinct from ${asUtc('cs.updated_at')}`);
  }

  // The move's copies whose session is gone or can no longer be moved (it lost its move). Never a
  // conversation holding messages the new app wrote: that one is kept and reported.
  const insertedIds = `{${written
    .filter((r) => r.inserted)
    .map((r) => r.id)
    .join(',')}}`;
  const stale = live
    ? []
    : await queryRows<{ id: string; app_written: boolean }>(
        tx,
        sql`
    select l.session_id::text as id,
           exists (select 1 from messages m where m.conversation_id = l.session_id
                   and not exists (select 1 from legacy_chat_moved_messages lm where lm.message_id = m.id)) as app_written
    from legacy_chat_moved_sessions l
    where ${inRange(sql`l.session_id`, range)}
      and not exists (select 1 from chat_sessions cs where cs.id = l.session_id and ${mappedMove} is not null)`,
      );
  const deletable = stale.filter((r) => !r.app_written).map((r) => r.id);
  if (deletable.length > 0) {
    await tx.execute(sql`delete from conversations where id = any(${`{${deletable.join(',')}}`}::uuid[])`);
  }

  // The sessions whose ledger row and participants this batch writes: the move's copies (before
  // go-live) and the conversations this batch created; never one the new app created.
  const targets = await queryRows<Omit<Target, 'owner'> & { move_id: string }>(
    tx,
    sql`
    select cs.id::text as id, cs.title is null as title_was_null,
           (case when cs.move_id is null then coalesce(l.assigned_move_id, ${assign}) end)::text as assigned_move_id,
           ${mappedMove}::text as move_id
    from chat_sessions cs
    left join legacy_chat_moved_sessions l on l.session_id = cs.id
    where ${inRange(sql`cs.id`, range)} and ${mappedMove} is not null
      and ((l.session_id is not null and not ${live}::boolean) or cs.id = any(${insertedIds}::uuid[]))`,
  );
  const owners = await ownersOfMoves(tx, [...new Set(targets.map((t) => t.move_id))]);
  const target: Target[] = targets.map(({ move_id, ...t }) => ({ ...t, owner: owners.get(move_id) ?? null }));

  const counts = await queryRow<{ ai: number; owners_in: number; owners_out: number }>(
    tx,
    sql`
    with target as (
      select t.id, t.title_was_null, t.assigned_move_id, t.owner
      from pg_catalog.jsonb_to_recordset(${JSON.stringify(target)}::jsonb)
        as t(id uuid, title_was_null boolean, assigned_move_id uuid, owner text)
    ),
    owners_out as (
      delete from conversation_participants p
      using legacy_chat_moved_sessions l, target t
      where l.session_id = t.id and p.conversation_id = l.session_id and p.user_id = l.owner_user_id
        and p.participant_type::text = 'employee' and p.role::text = 'owner'
        and l.owner_user_id is distinct from t.owner
      returning p.id
    ),
    ledger as (
      insert into legacy_chat_moved_sessions as l (session_id, title_was_null, assigned_move_id, owner_user_id)
      select id, title_was_null, assigned_move_id, owner from target
      on conflict (session_id) do update set
        title_was_null = excluded.title_was_null, assigned_move_id = excluded.assigned_move_id,
        owner_user_id = excluded.owner_user_id
      where (l.title_was_null, l.assigned_move_id, l.owner_user_id)
            is distinct from (excluded.title_was_null, excluded.assigned_move_id, excluded.owner_user_id)
      returning l.session_id
    ),
    ai as (
      insert into conversation_participants (conversation_id, user_id, participant_type, role)
      -- The conflict is the existing AI participant (its arbiter probes the partial unique index): a NOT
      -- EXISTS beside it was planned over statistics of a table being filled, as a scan of every AI row.
      select t.id, null, 'ai', 'participant' from target t
      on conflict (conversation_id, participant_type) where user_id is null do nothing
      returning id
    ),
    owners_in as (
      insert into conversation_participants (conversation_id, user_id, participant_type, role)
      select t.id, t.owner, 'employee', 'owner' from target t
      where t.owner is not null
        and not exists (select 1 from conversation_participants p where p.conversation_id = t.id and p.user_id = t.owner)
      on conflict (conversation_id, user_id) do nothing
      returning id
    )
    select (select count(*) from ai)::int as ai, (select count(*) from owners_in)::int as owners_in,
           (select count(*) from owners_out)::int as owners_out, (select count(*) from ledger)::int as ledger`,
  );

  return {
    conversationsInserted: written.length - updatedIds.length,
    conversationsUpdated: updatedIds.length,
    conversationsDeleted: deletable.length,
    conversationsKept: stale.filter((r) => r.app_written).map((r) => r.id),
    aiParticipantsInserted: counts.ai,
    ownersInserted: counts.owners_in,
    ownersRemoved: counts.owners_out,
  };
}

/** A session whose ledger row and participants a sessions batch writes, with its inferred owner. */
interface Target {
  id: string;
  title_was_null: boolean;
  assigned_move_id: string | null;
  owner: string | null;
}

/**
 * The inferred owner (a users.id, or null) of each of `moves`. Its own statement: the inference matches
 * emails case-insensitively, which no index serves, so it hash-joins users; the batch's other
 * statements keep their index probes (with hash joins on for the whole participants statement, it
 * hashed the whole ledger and conversation_participants in every batch: quadratic over the move).
 */
async function ownersOfMoves(tx: Queryable, moves: string[]): Promise<Map<string, string | null>> {
  if (moves.length === 0) return new Map();
  const planning = await queryRow<{ hash: string; seq: string }>(
    tx,
    sql`select pg_catalog.current_setting('enable_hashjoin') as hash, pg_catalog.current_setting('enable_seqscan') as seq`,
  );
  await tx.execute(
    sql`select set_config('enable_hashjoin', 'on', true), set_config('enable_seqscan', 'on', true)`,
  );
  const rows = await queryRows<{ move_id: string; user_id: string | null }>(
    tx,
    sql`select o.move_id::text as move_id, o.user_id
        from ${inferredOwners(sql`m.id = any(${`{${moves.join(',')}}`}::uuid[])`)} o`,
  );
  await tx.execute(
    sql`select set_config('enable_hashjoin', ${planning.hash}, true), set_config('enable_seqscan', ${planning.seq}, true)`,
  );
  return new Map(rows.map((r) => [r.move_id, r.user_id]));
}
