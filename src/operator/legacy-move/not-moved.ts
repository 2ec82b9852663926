import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';

export type NotMovedReason =
  | 'archived: the session has no move'
  | 'kept for manual review: the session has no move (--orphans=keep)'
  | 'not moved yet: written while the move ran; run chats:migrate again'
  | 'not moved: its session does not exist (written with the foreign key bypassed); restore the session or delete the message';

export interface NotMovedSession {
  id: string;
  reason: NotMovedReason;
}

export interface NotMovedMessage {
  id: string;
  sessionId: string;
  reason: NotMovedReason;
}

const reason = sql`case
  when exists (select 1 from chat_session_archive a where a.session_id = s.id) then 'archived: the session has no move'
  when s.move_id is null then 'kept for manual review: the session has no move (--orphans=keep)'
  else 'not moved yet: written while the move ran; run chats:migrate again' end`;

/** Every legacy session that is not (or not yet) a conversation, and why. */
export async function notMovedSessions(db: Queryable): Promise<NotMovedSession[]> {
  const rows = await queryRows<{ id: string; reason: NotMovedReason }>(
    db,
    sql`select s.id::text as id, ${reason} as reason from chat_sessions s
        where not exists (select 1 from legacy_chat_moved_sessions l where l.session_id = s.id)
        order by s.id`,
  );
  return rows;
}

/** Every legacy message that is not (or not yet) a message of the new tables, and why. */
export async function notMovedMessages(db: Queryable): Promise<NotMovedMessage[]> {
  const rows = await queryRows<{ id: string; session_id: string; reason: NotMovedReason }>(
    db,
    sql`select cm.id::text as id, cm.session_id::text as session_id,
               case when s.id is null
                    then 'not moved: its session does not exist (written with the foreign key bypassed); restore the session or delete the message'
                    when exists (select 1 from legacy_chat_moved_sessions l where l.session_id = s.id)
                    then 'not moved yet: written while the move ran; run chats:migrate again'
                    else ${reason} end as reason
        from chat_messages cm left join chat_sessions s on s.id = cm.session_id
        where not exists (select 1 from legacy_chat_moved_messages lm join messages m on m.id = lm.message_id
                          where lm.message_id = cm.id)
        order by cm.id`,
  );
  return rows.map((r) => ({ id: r.id, sessionId: r.session_id, reason: r.reason }));
}
