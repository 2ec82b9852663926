import { type SQL, sql } from 'drizzle-orm';
import { type Database, type Queryable, queryRows } from '../database.js';
import { archiveImage } from './archive-orphans.js';
import { asUtc, authorTypeOfRole, nullContentReplacement, nullTitleReplacement } from './mapping.js';
import type { OrphanPolicy } from './options.js';
import { inferredOwners } from './owner-inference.js';
import { assertReadyToMove } from './preconditions.js';

export interface ValidationCheck {
  /** What must hold, as a sentence. */
  check: string;
  ok: boolean;
  /** Rows that break it. */
  failing: number;
  /** Their ids (legacy ids, which are also the moved ids), at most `idLimit`. */
  failingIds: string[];
}

export interface ValidationTotals {
  legacySessions: number;
  legacyMessages: number;
  movedConversations: number;
  movedMessages: number;
  archivedSessions: number;
  archivedMessages: number;
  /** Orphan sessions neither moved nor archived (left for manual review). */
  keptSessions: number;
  keptMessages: number;
  /** Rows of the new tables the move did not create (written by the new app). */
  otherConversations: number;
  otherMessages: number;
}

export interface ValidationResult {
  ok: boolean;
  orphanPolicy: OrphanPolicy;
  totals: ValidationTotals;
  checks: ValidationCheck[];
}

export interface ValidateOptions {
  /** The policy the move ran with: under 'keep', orphans left in place are accounted for. Default archive. */
  orphans?: OrphanPolicy;
  /** How many failing ids to return per check. Default 1000. */
  idLimit?: number;
}

const authorType = authorTypeOfRole(sql.raw('cm.role'));

/**
 * The gate before the drop (npm run chats:validate): every legacy session and message is moved with
 * equal mapped fields, or accounted for by the orphan policy (archived rows equal too); message counts
 * match per conversation; exactly one AI participant per moved conversation; owners match the
 * inference; no moved copy outlives its legacy row. Read-only, one consistent snapshot.
 */
export async function validateLegacyMove(
  db: Database,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const policy = options.orphans ?? 'archive';
  const limit = options.idLimit ?? 1000;
  await assertReadyToMove(db, 'chats:validate');
  return db.transaction(
    async (tx) => {
      const sessions = await groupedStatus(tx, sessionStatus, limit);
      const messages = await groupedStatus(tx, messageStatus, limit);
      const ids = (query: SQL) => failingIds(tx, query, limit);
      const failed = (groups: StatusGroups, ...names: string[]) => {
        const all = names.flatMap((n) => groups.get(n)?.ids ?? []);
        return {
          failing: names.reduce((n, k) => n + (groups.get(k)?.count ?? 0), 0),
          failingIds: all.slice(0, limit),
        };
      };
      const kept = sessions.get('orphan-not-archived');

      const checks: ValidationCheck[] = [
        check('every session with a move is a conversation', failed(sessions, 'missing')),
        check(
          'every moved session equals its conversation under the mapping',
          failed(sessions, 'moved-different'),
        ),
        policy === 'keep'
          ? check('orphan sessions are archived, attached, or kept for review (--orphans=keep)', {
              failing: 0,
              failingIds: [],
            })
          : check(
              `every orphan session is archived or attached to a move (--orphans=${policy})`,
              failed(sessions, 'orphan-not-archived'),
            ),
        check(
          'every archived session equals its legacy session and messages',
          failed(sessions, 'archived-different', 'archived-but-has-move'),
        ),
        check('no session is both moved and archived', failed(sessions, 'moved-and-archived')),
        check('no moved conversation or archive row outlives its legacy session', await ids(staleSessions)),
        check('every message of a moved session is moved', failed(messages, 'missing')),
        check(
          'every moved message equals its legacy message under the mapping',
          failed(messages, 'moved-different'),
        ),
        check('no moved message outlives its legacy message', await ids(staleMessages)),
        check('message counts match per moved conversation', await ids(countMismatches)),
        check('every moved conversation has exactly one AI participant', await ids(aiParticipantMismatches)),
        check(
          'employee owners match the inference (moves -> employees -> users by email)',
          await ids(ownerMismatches),
        ),
      ];

      const [t] = await queryRows<Omit<ValidationTotals, 'keptSessions' | 'keptMessages'>>(tx, totalsQuery);
      const [keptMessages] = await queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from chat_messages cm join chat_sessions t on t.id = cm.session_id
            where t.move_id is null
              and not exists (select 1 from legacy_chat_moved_sessions l where l.session_id = t.id)
              and not exists (select 1 from chat_session_archive a where a.session_id = t.id)`,
      );
      const totals: ValidationTotals = {
        legacySessions: t?.legacySessions ?? 0,
        legacyMessages: t?.legacyMessages ?? 0,
        movedConversations: t?.movedConversations ?? 0,
        movedMessages: t?.movedMessages ?? 0,
        archivedSessions: t?.archivedSessions ?? 0,
        archivedMessages: t?.archivedMessages ?? 0,
        keptSessions: kept?.count ?? 0,
        keptMessages: keptMessages?.n ?? 0,
        otherConversations: t?.otherConversations ?? 0,
        otherMessages: t?.otherMessages ?? 0,
      };
      return { ok: checks.every((c) => c.ok), orphanPolicy: policy, totals, checks };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

function check(name: string, result: { failing: number; failingIds: string[] }): ValidationCheck {
  return { check: name, ok: result.failing === 0, ...result };
}

type StatusGroups = Map<string, { count: number; ids: string[] }>;

async function groupedStatus(tx: Queryable, classified: SQL, limit: number): Promise<StatusGroups> {
  const rows = await queryRows<{ status: string; count: number; ids: string[] | null }>(
    tx,
    sql`select status, count(*)::int as count,
               (pg_catalog.array_agg(id::text order by id) filter (where status not in ('moved', 'archived', 'outside')))[1:${limit}] as ids
        from ${classified} x group by status`,
  );
  return new Map(rows.map((r) => [r.status, { count: r.count, ids: r.ids ?? [] }]));
}

async function failingIds(
  tx: Queryable,
  query: SQL,
  limit: number,
): Promise<{ failing: number; failingIds: string[] }> {
  const [row] = await queryRows<{ n: number; ids: string[] | null }>(
    tx,
    sql`select count(*)::int as n, (pg_catalog.array_agg(id::text order by id))[1:${limit}] as ids from ${query} f`,
  );
  return { failing: row?.n ?? 0, failingIds: row?.ids ?? [] };
}

// Enums are compared as text throughout: `=` on an enum type is looked up by name, and a role that
// may CREATE in public could plant an exact-type =(conversation_type, conversation_type) that wins.
const sessionStatus = sql`(
  select cs.id,
    case
      when l.session_id is not null and a.session_id is not null then 'moved-and-archived'
      when l.session_id is not null and
        (c.move_id, c.title, c.type::text, c.status::text, c.created_by, c.agent_mail_inbox_id, c.agent_mail_email_address,
         c.created_at, c.updated_at, l.title_was_null, l.assigned_move_id)
        is not distinct from
        (coalesce(cs.move_id, l.assigned_move_id), coalesce(cs.title, ${nullTitleReplacement}),
         'general'::text, 'active'::text, null::text, cs.agent_mail_inbox_id,
         cs.agent_mail_email_address, ${asUtc(sql.raw('cs.created_at'))}, ${asUtc(sql.raw('cs.updated_at'))},
         cs.title is null, case when cs.move_id is null then l.assigned_move_id end)
        then 'moved'
      when l.session_id is not null then 'moved-different'
      when a.session_id is not null and cs.move_id is not null then 'archived-but-has-move'
      when a.session_id is not null and (a.session, a.messages) is not distinct from (img.session, img.messages)
        then 'archived'
      when a.session_id is not null then 'archived-different'
      when cs.move_id is null then 'orphan-not-archived'
      else 'missing'
    end as status
  from chat_sessions cs
  left join legacy_chat_moved_sessions l on l.session_id = cs.id
  left join conversations c on c.id = l.session_id
  left join chat_session_archive a on a.session_id = cs.id
  left join ${archiveImage(sql`t.id in (select session_id from chat_session_archive)`)} img on img.session_id = cs.id
)`;

const messageStatus = sql`(
  select cm.id,
    case
      when lm.message_id is not null and msg.id is not null and
        (msg.conversation_id, msg.author_id, msg.author_type::text, msg.content, msg.tool_calls, msg.reasoning, msg.model,
         msg.metadata, msg.created_at, lm.content_was_null)
        is not distinct from
        (cm.session_id, null::text, ${authorType}::text, coalesce(cm.content, ${nullContentReplacement}), cm.tool_calls,
         cm.reasoning, cm.model, cm.metadata, ${asUtc(sql.raw('cm.created_at'))}, cm.content is null)
        then 'moved'
      when lm.message_id is not null and msg.id is not null then 'moved-different'
      when ls.session_id is not null then 'missing'
      else 'outside'
    end as status
  from chat_messages cm
  left join legacy_chat_moved_sessions ls on ls.session_id = cm.session_id
  left join legacy_chat_moved_messages lm on lm.message_id = cm.id
  left join messages msg on msg.id = lm.message_id
)`;

const staleSessions = sql`(
  select l.session_id as id from legacy_chat_moved_sessions l
  where not exists (select 1 from chat_sessions cs where cs.id = l.session_id)
  union all
  select a.session_id from chat_session_archive a
  where not exists (select 1 from chat_sessions cs where cs.id = a.session_id)
)`;

const staleMessages = sql`(
  select lm.message_id as id from legacy_chat_moved_messages lm join messages m on m.id = lm.message_id
  where not exists (select 1 from chat_messages cm where cm.id = lm.message_id)
)`;

const countMismatches = sql`(
  select l.session_id as id from legacy_chat_moved_sessions l
  left join (select session_id, count(*) as n from chat_messages group by session_id) lc on lc.session_id = l.session_id
  left join (select m.conversation_id, count(*) as n from messages m
             join legacy_chat_moved_messages lm on lm.message_id = m.id group by m.conversation_id) mc
    on mc.conversation_id = l.session_id
  where coalesce(lc.n, 0) <> coalesce(mc.n, 0)
)`;

const aiParticipantMismatches = sql`(
  select l.session_id as id from legacy_chat_moved_sessions l
  left join (select conversation_id, count(*) as n from conversation_participants
             where participant_type::text = 'ai' group by conversation_id) p on p.conversation_id = l.session_id
  where coalesce(p.n, 0) <> 1
)`;

const ownerMismatches = sql`(
  select l.session_id as id from legacy_chat_moved_sessions l
  join conversations c on c.id = l.session_id
  left join ${inferredOwners()} o on o.move_id = c.move_id
  where l.owner_user_id is distinct from o.user_id
     or (o.user_id is not null and not exists (
          select 1 from conversation_participants p where p.conversation_id = c.id and p.user_id = o.user_id
            and p.participant_type::text = 'employee' and p.role::text = 'owner'))
)`;

const totalsQuery = sql`select
  (select count(*) from chat_sessions)::int as "legacySessions",
  (select count(*) from chat_messages)::int as "legacyMessages",
  (select count(*) from legacy_chat_moved_sessions)::int as "movedConversations",
  (select count(*) from legacy_chat_moved_messages lm join messages m on m.id = lm.message_id)::int as "movedMessages",
  (select count(*) from chat_session_archive)::int as "archivedSessions",
  (select coalesce(sum(jsonb_array_length(messages)), 0) from chat_session_archive)::int as "archivedMessages",
  (select count(*) from conversations c
    where not exists (select 1 from legacy_chat_moved_sessions l where l.session_id = c.id))::int as "otherConversations",
  (select count(*) from messages m
    where not exists (select 1 from legacy_chat_moved_messages lm where lm.message_id = m.id))::int as "otherMessages"`;
