import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../database.js';
import { nullContentReplacement } from './mapping.js';
import { inRange, type KeyRange } from './sql-range.js';

export interface MessageBatchCounts {
  messagesInserted: number;
  messagesUpdated: number;
  messagesDeleted: number;
}

const authorType = sql`(case cm.role when 'assistant' then 'ai' when 'system' then 'system' else 'user' end)::author_type`;

/**
 * Messages -> messages for one key range of chat_messages (seed 000 Step 3: same id, the session
 * becomes the conversation, author_id NULL, assistant -> ai, system -> system, user -> user,
 * tool_calls, reasoning, model, metadata exactly as jsonb, created_at read as UTC, NULL content -> '').
 * Only messages of moved sessions; only rows that are new or differ are written (one statement: the
 * message and its ledger row). Then the move's copies in the range whose legacy message is gone, or
 * whose session is no longer moved, are deleted, and ledger rows whose message is gone are dropped.
 */
export async function moveMessageBatch(tx: Queryable, range: KeyRange): Promise<MessageBatchCounts> {
  const [written] = await queryRows<{ inserted: number; updated: number }>(
    tx,
    sql`
    with src as (
      select cm.id, cm.session_id, ${authorType} as author_type,
             coalesce(cm.content, ${nullContentReplacement}) as content, cm.content is null as content_was_null,
             cm.tool_calls, cm.reasoning, cm.model, cm.metadata, cm.created_at at time zone 'UTC' as created_at
      from chat_messages cm
      join legacy_chat_moved_sessions ls on ls.session_id = cm.session_id
      left join messages m on m.id = cm.id
      left join legacy_chat_moved_messages lm on lm.message_id = cm.id
      where ${inRange(sql`cm.id`, range)}
        and (m.id is null or lm.message_id is null or lm.content_was_null <> (cm.content is null)
          or (m.conversation_id, m.author_id, m.author_type, m.content, m.tool_calls, m.reasoning, m.model,
              m.metadata, m.created_at)
             is distinct from
             (cm.session_id, null::text, ${authorType}, coalesce(cm.content, ${nullContentReplacement}),
              cm.tool_calls, cm.reasoning, cm.model, cm.metadata, cm.created_at at time zone 'UTC'))
    ),
    written as (
      insert into messages as m (id, conversation_id, author_id, author_type, content, tool_calls, reasoning,
        model, metadata, created_at)
      select id, session_id, null, author_type, content, tool_calls, reasoning, model, metadata, created_at from src
      on conflict (id) do update set
        conversation_id = excluded.conversation_id, author_id = excluded.author_id,
        author_type = excluded.author_type, content = excluded.content, tool_calls = excluded.tool_calls,
        reasoning = excluded.reasoning, model = excluded.model, metadata = excluded.metadata,
        created_at = excluded.created_at
      returning (m.xmax = 0) as inserted
    ),
    ledger as (
      insert into legacy_chat_moved_messages as l (message_id, content_was_null)
      select id, content_was_null from src
      on conflict (message_id) do update set content_was_null = excluded.content_was_null
      where l.content_was_null is distinct from excluded.content_was_null
      returning 1
    )
    select (count(*) filter (where inserted))::int as inserted, (count(*) filter (where not inserted))::int as updated
    from written`,
  );

  const [deleted] = await queryRows<{ n: number }>(
    tx,
    sql`
    with gone as (
      delete from messages m using legacy_chat_moved_messages lm
      where m.id = lm.message_id and ${inRange(sql`lm.message_id`, range)}
        and not exists (select 1 from chat_messages cm
                        join legacy_chat_moved_sessions ls on ls.session_id = cm.session_id
                        where cm.id = lm.message_id)
      returning m.id
    )
    select count(*)::int as n from gone`,
  );
  await tx.execute(sql`
    delete from legacy_chat_moved_messages lm
    where ${inRange(sql`lm.message_id`, range)}
      and not exists (select 1 from messages m where m.id = lm.message_id)`);

  return {
    messagesInserted: written?.inserted ?? 0,
    messagesUpdated: written?.updated ?? 0,
    messagesDeleted: deleted?.n ?? 0,
  };
}
