import { sql } from 'drizzle-orm';
import { type Queryable, queryRow, queryRows } from '../../app/database.js';
import { type BlockRange, inBlocks } from './block-range.js';
import { asUtc, authorTypeOfRole, nullContentReplacement } from './mapping.js';

export interface MessageBatchCounts {
  messagesInserted: number;
  messagesUpdated: number;
  /** Legacy messages the batch read (its share of the progress). */
  sources: number;
}

export const authorType = authorTypeOfRole('cm.role');

/**
 * The legacy message cm and the move's copy m differ under the mapping. author_type as text: the = of
 * an enum is looked up by name, and an exact-type one planted in public would win over pg_catalog's
 * polymorphic anyenum operator.
 */
const copyDiffers = sql`(m.conversation_id, m.author_type::text, m.content, m.tool_calls, m.reasoning, m.model,
              m.metadata, m.created_at)
             is distinct from
             (cm.session_id, (${authorType})::text, coalesce(cm.content, ${nullContentReplacement}),
              cm.tool_calls, cm.reasoning, cm.model, cm.metadata, ${asUtc('cm.created_at')})`;

/**
 * What moveMessageBatch would write for the legacy message cm of a moved session (m its copy, lm its
 * ledger row, both left-joined): a copy to insert, or before go-live the move's own copy (or its
 * ledger row) to rewrite. The batch and messageBatchesToMove both test it, so a re-run skips exactly
 * the batches that would write nothing.
 */
const messageNeedsWork = (
  live: boolean,
) => sql`(m.id is null or (not ${live}::boolean and lm.message_id is not null
  and (${copyDiffers} or lm.content_was_null <> (cm.content is null))))`;

export interface MessageWork {
  /** The block batches (fromBlock / blocksPerBatch) holding a message moveMessageBatch would write, ascending. */
  batches: number[];
  /** How many of the move's copies are to delete (goneCopies). */
  gone: number;
}

/**
 * What the messages phase of a re-run has to do, in one set-based pass (hash joins over the whole
 * tables, parallel where the server allows): the block batches (fromBlock / blocksPerBatch) of
 * chat_messages holding a message that moveMessageBatch would write, and how many of the move's copies
 * are to delete. A copy is kept when its message and its legacy message exist, in a session that is a
 * conversation (goneCopies' complement): those are counted on the legacy side, and the rest of the
 * ledger is gone. One row per batch comes back, so memory stays flat.
 */
export async function messageWork(tx: Queryable, blocksPerBatch: number, live = false): Promise<MessageWork> {
  const rows = await queryRows<{ batch: number; work: boolean; kept: number; ledger: number }>(
    tx,
    sql`select w.batch, pg_catalog.bool_or(w.work) as work, (count(*) filter (where w.kept))::int as kept,
               (select count(*) from legacy_chat_moved_messages)::int as ledger
        from (
          select ((((cm.ctid::text)::point)[0])::bigint / ${blocksPerBatch}::int)::int as batch,
                 (ls.session_id is not null and ${messageNeedsWork(live)}) as work,
                 (lm.message_id is not null and m.id is not null) as kept
          from chat_messages cm
          join conversations c on c.id = cm.session_id
          left join legacy_chat_moved_sessions ls on ls.session_id = cm.session_id
          left join messages m on m.id = cm.id
          left join legacy_chat_moved_messages lm on lm.message_id = cm.id
          -- Not pulled up: the aggregate sorts these three narrow columns, not the joined rows.
          offset 0
        ) w
        group by w.batch
        order by w.batch`,
  );
  let kept = 0;
  for (const r of rows) kept += Number(r.kept);
  const ledger = rows.length > 0 ? Number(rows[0]?.ledger) : await ledgerSize(tx);
  return { batches: rows.filter((r) => r.work).map((r) => Number(r.batch)), gone: ledger - kept };
}

async function ledgerSize(tx: Queryable): Promise<number> {
  const row = await queryRow<{ n: number }>(
    tx,
    sql`select count(*)::int as n from legacy_chat_moved_messages`,
  );
  return row.n;
}

/**
 * Messages -> messages for one block range of chat_messages (seed 000 Step 3: same id, the session
 * becomes the conversation, author_id NULL, assistant -> ai, system -> system, user -> user,
 * tool_calls, reasoning, model, metadata exactly as jsonb, created_at read as UTC, NULL content -> '').
 * Only messages of moved sessions; only rows that are new or differ are written (one statement: the
 * message and its ledger row). The move's copies whose legacy message is gone are deleted afterwards
 * by deleteGoneMessages (a block range cannot say which copies belong to it).
 */
export async function moveMessageBatch(
  tx: Queryable,
  blocks: BlockRange,
  live = false,
): Promise<MessageBatchCounts> {
  // Plain INSERT for new rows and UPDATE for changed ones, rather than INSERT ... ON CONFLICT: no
  // speculative insertion per row, and only the mover (one at a time, under its lock) writes these ids.
  const written = await queryRow<{
    inserted: number;
    updated: number;
    sources: number;
    tombstoned: string[];
  }>(
    tx,
    sql`
    with src as (
      select cm.id, cm.session_id, ${authorType} as author_type,
             coalesce(cm.content, ${nullContentReplacement}) as content, cm.content is null as content_was_null,
             cm.tool_calls, cm.reasoning, cm.model, cm.metadata, ${asUtc('cm.created_at')} as created_at,
             m.id is not null as message_exists, lm.message_id is not null as ledger_exists,
             ${copyDiffers} as message_differs
      from chat_messages cm
      join legacy_chat_moved_sessions ls on ls.session_id = cm.session_id
      left join messages m on m.id = cm.id
      left join legacy_chat_moved_messages lm on lm.message_id = cm.id
      where ${inBlocks('cm', blocks)}
    ),
    inserted as (
      insert into messages (id, conversation_id, author_id, author_type, content, tool_calls, reasoning, model,
        metadata, created_at)
      select id, session_id, null, author_type, content, tool_calls, reasoning, model, metadata, created_at
      from src where not message_exists
      -- The sync may have written it since this statement's snapshot (the same image, under the
      -- mapping): it is left as the sync wrote it.
      on conflict (id) do nothing
      returning id
    ),
    -- Only the move's own copies (a ledger row) are rewritten, and only before go-live: a message the
    -- new app wrote is its own, and after go-live the new tables win. author_id is the new app's.
    updated as (
      update messages m set
        conversation_id = src.session_id, author_type = src.author_type, content = src.content,
        tool_calls = src.tool_calls, reasoning = src.reasoning, model = src.model, metadata = src.metadata,
        created_at = src.created_at
      from src where src.ledger_exists and src.message_exists and src.message_differs and m.id = src.id
        and not ${live}::boolean
      returning 1
    ),
    ledger_inserted as (
      insert into legacy_chat_moved_messages (message_id, content_was_null)
      select id, content_was_null from src where not ledger_exists and not message_exists
      on conflict (message_id) do nothing
      returning message_id
    ),
    ledger_updated as (
      update legacy_chat_moved_messages l set content_was_null = src.content_was_null
      from src where src.ledger_exists and l.message_id = src.id and l.content_was_null <> src.content_was_null
        and not ${live}::boolean
      returning 1
    )
    select (select count(*) from inserted)::int as inserted, (select count(*) from updated)::int as updated,
           (select count(*) from src)::int as sources,
           -- NOT IN over the two CTEs plans as hashed subplans: the batch plans joins as nested loops
           -- (hash joins off), and a join of inserted with src was 5000 x 5000 comparisons a batch.
           -- pg_catalog's array_agg: a public.array_agg(text) planted by a role that may create there
           -- is an exact match and would win over the polymorphic one (security-planted-objects).
           (select coalesce(pg_catalog.array_agg(i.id::text), '{}') from inserted i
             where i.id not in (select s.id from src s where s.ledger_exists)
               and i.id not in (select l.message_id from ledger_inserted l)) as tombstoned`,
  );
  // A ledger insert that met the sync's tombstone (an old-app delete of a message this statement read
  // before the delete committed: the trigger's ledger row made this insert wait for it) did nothing,
  // but the copy went in. READ COMMITTED: a new statement sees the committed delete, and removes the
  // copy whose legacy message is gone. (In REPEATABLE READ the conflict failed the batch, which ran again.)
  const tombstoned = written.tombstoned;
  const withdrawn = tombstoned.length === 0 ? 0 : await withdrawCopiesOfDeleted(tx, tombstoned);
  return {
    messagesInserted: written.inserted - withdrawn,
    messagesUpdated: written.updated,
    sources: written.sources,
  };
}

/** Deletes the copies `ids` whose legacy message is gone now; returns how many. */
export async function withdrawCopiesOfDeleted(tx: Queryable, ids: readonly string[]): Promise<number> {
  const row = await queryRow<{ n: number }>(
    tx,
    sql`with gone as (
          delete from messages m where m.id = any(${`{${ids.join(',')}}`}::uuid[])
            and not exists (select 1 from chat_messages cm where cm.id = m.id)
          returning 1)
        select count(*)::int as n from gone`,
  );
  return row.n;
}

/**
 * The move's copies to delete: a ledger row whose message is gone, or whose legacy message is gone or
 * no longer in a session that is a conversation (moved, or created by the new app: the sync copies the
 * old app's messages into those too). Left joins rather than NOT EXISTS ... OR NOT EXISTS, so the
 * planner hash-joins each table once instead of running two subplans per ledger row.
 */
const goneCopies = sql`
  select lm.message_id from legacy_chat_moved_messages lm
  left join messages m on m.id = lm.message_id
  left join (chat_messages cm join conversations c on c.id = cm.session_id) on cm.id = lm.message_id
  where m.id is null or c.id is null`;

/** The first `limit` copies to delete after `after`, in id order. */
export async function goneMessages(
  tx: Queryable,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`select g.message_id::text as id from (${goneCopies}) g
        where ${after === undefined ? sql`true` : sql`g.message_id > ${after}::uuid`}
        order by g.message_id limit ${limit}`,
  );
  return rows.map((r) => r.id);
}

/** Deletes the copies `ids` (goneMessages) that are still gone, and their ledger rows; returns the messages deleted. */
export async function deleteGoneMessages(tx: Queryable, ids: readonly string[]): Promise<number> {
  const batch = sql`${`{${ids.join(',')}}`}::uuid[]`;
  const deleted = await queryRow<{ n: number }>(
    tx,
    sql`
    with gone as (
      delete from messages m using legacy_chat_moved_messages lm
      where m.id = lm.message_id and lm.message_id = any(${batch})
        and not exists (select 1 from chat_messages cm
                        join conversations c on c.id = cm.session_id
                        where cm.id = lm.message_id)
      returning m.id
    )
    select count(*)::int as n from gone`,
  );
  await tx.execute(sql`
    delete from legacy_chat_moved_messages lm
    where lm.message_id = any(${batch})
      and not exists (select 1 from messages m where m.id = lm.message_id)`);
  return deleted.n;
}
