import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../app/database.js';
import { messageMetadataKeys } from '../../app/schema/message-metadata.js';
import { nullContentReplacement, nullTitleReplacement, roleToAuthorType } from './mapping.js';
import { type OrphanOptions, type OrphanPolicy, orphanPolicyOf } from './options.js';
import { inferredOwners } from './owner-inference.js';
import { assertMoveExists, assertReadyToMove } from './preconditions.js';

export interface OwnerProblem {
  moveId: string;
  employeeId: string;
  /** Users whose email matches the employee's (trimmed, case-insensitive): 0 missing, 2+ ambiguous. */
  matchingUsers: number;
  /** Sessions of that move that will get no owner participant. */
  sessions: number;
}

export interface LegacyValueNote {
  /** The legacy value the new schema cannot take as it is, or that deserves a look. */
  value: string;
  rows: number;
  becomes: string;
}

export interface MovePlan {
  orphanPolicy: OrphanPolicy;
  assignMoveId: string | undefined;
  sessions: {
    total: number;
    withMove: number;
    /** Sessions that will be conversations after the move (new, changed, unchanged). */
    toBeConversations: number;
    toCreate: number;
    alreadyMoved: number;
    /** Moved copies whose legacy session is gone or lost its move: the move deletes them. */
    toDelete: number;
    orphans: number;
    orphanAction: string;
    orphanIds: string[];
  };
  messages: {
    total: number;
    /** Per legacy role: the author_type it becomes, how many, how many in sessions that will be moved. */
    byRole: { role: string; authorType: string; count: number; moved: number }[];
    toCreate: number;
    alreadyMoved: number;
    inOrphanSessions: number;
    /** Messages whose session does not exist (the foreign key was bypassed): never moved; resolve them by hand. */
    withoutSession: string[];
  };
  participants: { aiToCreate: number; ownersToCreate: number };
  owners: {
    /** Moves of the sessions to be moved. */
    moves: number;
    exactEmail: number;
    differentCaseOrSpaces: number;
    missing: OwnerProblem[];
    ambiguous: OwnerProblem[];
  };
  legacyValues: LegacyValueNote[];
}

const knownMetadataKeys = Object.keys(messageMetadataKeys);

/**
 * Metadata whose typed keys (messageMetadataKeys) hold another JSON type: moved as it is, but the
 * package's messageSelectSchema rejects the row, so the plan counts them.
 */
const mistypedMetadata = (metadata: ReturnType<typeof sql>) => {
  const wrong = Object.entries(messageMetadataKeys).map(([key, type]) => {
    const value = sql`(${metadata} -> ${sql.raw(`'${key}'`)})`;
    if (type !== 'string[]') return sql`jsonb_typeof(${value}) not in (${sql.raw(`'${type}'`)})`;
    return sql`(jsonb_typeof(${value}) not in ('array')
      or exists (select 1 from jsonb_array_elements(case jsonb_typeof(${value}) when 'array' then ${value} else '[]' end) e
                 where jsonb_typeof(e) <> 'string'))`;
  });
  return sql`(jsonb_typeof(${metadata}) = 'object' and (${sql.join(wrong, sql` or `)}))`;
};

/** A JavaScript Date holds ±8.64e15 ms around 1970: up to 275760-09-13 (and back past 4713 BC). */
const beyondDate = (column: ReturnType<typeof sql>) =>
  sql`(not isfinite(${column}) or ${column} > '275760-09-13 00:00:00'::timestamp)`;

/**
 * The dry run (npm run chats:plan): what chats:migrate would do, counted in one read-only snapshot.
 * Writes nothing (the transaction is READ ONLY).
 */
export async function planLegacyMove(db: Database, options: OrphanOptions = {}): Promise<MovePlan> {
  const { policy, assignMoveId } = orphanPolicyOf(options);
  await assertReadyToMove(db, 'chats:plan');
  if (assignMoveId) await assertMoveExists(db, assignMoveId);
  const assign = sql`${assignMoveId ?? null}::uuid`;
  const movable = sql`coalesce(cs.move_id, l.assigned_move_id, ${assign}) is not null`;

  return db.transaction(
    async (tx) => {
      const [s] = await queryRows<{
        total: number;
        with_move: number;
        movable: number;
        to_create: number;
        already: number;
        orphans: number;
        null_titles: number;
        ai_to_create: number;
        beyond_date: number;
      }>(
        tx,
        sql`select count(*)::int as total,
                   (count(*) filter (where cs.move_id is not null))::int as with_move,
                   (count(*) filter (where ${movable}))::int as movable,
                   (count(*) filter (where ${movable} and l.session_id is null))::int as to_create,
                   (count(*) filter (where l.session_id is not null))::int as already,
                   (count(*) filter (where not ${movable}))::int as orphans,
                   (count(*) filter (where cs.title is null and ${movable}))::int as null_titles,
                   (count(*) filter (where ${movable} and not exists (
                      select 1 from conversation_participants p
                      where p.conversation_id = cs.id and p.participant_type::text = 'ai' and p.user_id is null)))::int as ai_to_create,
                   (count(*) filter (where ${movable} and (${beyondDate(sql`cs.created_at`)} or ${beyondDate(sql`cs.updated_at`)})))::int as beyond_date
            from chat_sessions cs left join legacy_chat_moved_sessions l on l.session_id = cs.id`,
      );
      const [stale] = await queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from legacy_chat_moved_sessions l
            where not exists (select 1 from chat_sessions cs where cs.id = l.session_id and ${movable})`,
      );
      const orphanIds = (
        await queryRows<{ id: string }>(
          tx,
          sql`select cs.id::text as id from chat_sessions cs
              left join legacy_chat_moved_sessions l on l.session_id = cs.id where not ${movable} order by cs.id`,
        )
      ).map((r) => r.id);

      const roles = await queryRows<{ role: string; count: number; moved: number }>(
        tx,
        sql`select cm.role::text as role, count(*)::int as count, (count(*) filter (where ${movable}))::int as moved
            from chat_messages cm join chat_sessions cs on cs.id = cm.session_id
            left join legacy_chat_moved_sessions l on l.session_id = cs.id
            group by cm.role order by cm.role`,
      );
      const [m] = await queryRows<{
        total: number;
        to_create: number;
        already: number;
        orphaned: number;
        null_content: number;
        blank_content: number;
        not_object: number;
        unknown_keys: number;
        mistyped_keys: number;
        beyond_date: number;
      }>(
        tx,
        sql`select count(*)::int as total,
                   (count(*) filter (where ${movable} and lm.message_id is null))::int as to_create,
                   (count(*) filter (where lm.message_id is not null))::int as already,
                   (count(*) filter (where not ${movable}))::int as orphaned,
                   (count(*) filter (where cm.content is null and ${movable}))::int as null_content,
                   (count(*) filter (where cm.content is not null and btrim(cm.content) = '' and ${movable}))::int as blank_content,
                   (count(*) filter (where cm.metadata is not null and jsonb_typeof(cm.metadata) <> 'object'
                                       and ${movable}))::int as not_object,
                   (count(*) filter (where jsonb_typeof(cm.metadata) = 'object' and ${movable} and exists (
                      select 1 from jsonb_object_keys(cm.metadata) k
                      where k <> all(${`{${knownMetadataKeys.join(',')}}`}::text[]))))::int as unknown_keys,
                   (count(*) filter (where ${movable} and ${mistypedMetadata(sql`cm.metadata`)}))::int as mistyped_keys,
                   (count(*) filter (where ${movable} and ${beyondDate(sql`cm.created_at`)}))::int as beyond_date
            from chat_messages cm join chat_sessions cs on cs.id = cm.session_id
            left join legacy_chat_moved_sessions l on l.session_id = cs.id
            left join legacy_chat_moved_messages lm on lm.message_id = cm.id`,
      );

      // Messages whose session_id names no session (inserted with the foreign key bypassed): the move
      // cannot place them, chats:validate fails them and the drop refuses them until they are resolved.
      const withoutSession = await queryRows<{ id: string }>(
        tx,
        sql`select cm.id::text as id from chat_messages cm
            where not exists (select 1 from chat_sessions cs where cs.id = cm.session_id) order by cm.id`,
      );

      const owners = await queryRows<{
        move_id: string;
        employee_id: string;
        matches: number;
        exact: boolean | null;
        sessions: number;
        owners_to_create: number;
      }>(
        tx,
        sql`with moved as (
              select cs.id, coalesce(cs.move_id, l.assigned_move_id, ${assign}) as move_id
              from chat_sessions cs left join legacy_chat_moved_sessions l on l.session_id = cs.id where ${movable})
            select o.move_id::text as move_id, o.employee_id::text as employee_id, o.matches, o.exact,
                   pg_catalog.count(mv.id)::int as sessions,
                   (pg_catalog.count(mv.id) filter (where o.user_id is not null and not exists (
                      select 1 from conversation_participants p
                      where p.conversation_id = mv.id and p.user_id = o.user_id)))::int as owners_to_create
            from moved mv join ${inferredOwners(sql`m.id in (select move_id from moved)`)} o on o.move_id = mv.move_id
            group by o.move_id, o.employee_id, o.matches, o.exact order by o.move_id`,
      );
      const problem = (r: (typeof owners)[number]): OwnerProblem => ({
        moveId: r.move_id,
        employeeId: r.employee_id,
        matchingUsers: r.matches,
        sessions: r.sessions,
      });

      const timestamps = (s?.total ?? 0) + (m?.total ?? 0);
      const orphanAction = {
        archive: 'archived to chat_session_archive with their messages and the reason',
        keep: 'left in chat_sessions for manual review (listed; the drop refuses while they remain)',
        assign: `attached to move ${assignMoveId} and moved like the others`,
      }[policy];

      return {
        orphanPolicy: policy,
        assignMoveId,
        sessions: {
          total: s?.total ?? 0,
          withMove: s?.with_move ?? 0,
          toBeConversations: s?.movable ?? 0,
          toCreate: s?.to_create ?? 0,
          alreadyMoved: s?.already ?? 0,
          toDelete: stale?.n ?? 0,
          orphans: s?.orphans ?? 0,
          orphanAction,
          orphanIds,
        },
        messages: {
          total: m?.total ?? 0,
          byRole: roles.map((r) => ({
            role: r.role,
            authorType: roleToAuthorType[r.role as keyof typeof roleToAuthorType] ?? r.role,
            count: r.count,
            moved: r.moved,
          })),
          toCreate: m?.to_create ?? 0,
          alreadyMoved: m?.already ?? 0,
          inOrphanSessions: m?.orphaned ?? 0,
          withoutSession: withoutSession.map((r) => r.id),
        },
        participants: {
          aiToCreate: s?.ai_to_create ?? 0,
          ownersToCreate: owners.reduce((n, r) => n + r.owners_to_create, 0),
        },
        owners: {
          moves: owners.length,
          exactEmail: owners.filter((r) => r.matches === 1 && r.exact).length,
          differentCaseOrSpaces: owners.filter((r) => r.matches === 1 && !r.exact).length,
          missing: owners.filter((r) => r.matches === 0).map(problem),
          ambiguous: owners.filter((r) => r.matches > 1).map(problem),
        },
        legacyValues: [
          {
            value: 'chat_sessions.title is NULL',
            rows: s?.null_titles ?? 0,
            becomes: `'${nullTitleReplacement}'`,
          },
          {
            value: 'chat_messages.content is NULL',
            rows: m?.null_content ?? 0,
            becomes: `'${nullContentReplacement}' (empty; the ledger keeps content_was_null)`,
          },
          {
            value: 'chat_messages.content is blank (spaces only)',
            rows: m?.blank_content ?? 0,
            becomes: 'moved as it is (new messages must not be blank; legacy ones are kept)',
          },
          {
            value: 'chat_messages.metadata is JSON but not an object',
            rows: m?.not_object ?? 0,
            becomes: 'kept exactly as jsonb',
          },
          {
            value: 'chat_messages.metadata has keys beyond the typed ones',
            rows: m?.unknown_keys ?? 0,
            becomes: 'kept exactly as jsonb, unknown and nested keys included',
          },
          {
            value: 'chat_messages.metadata has a typed key of another type (e.g. emailTo: 42)',
            rows: m?.mistyped_keys ?? 0,
            becomes:
              'kept exactly as jsonb; messageSelectSchema rejects these rows (read metadata as plain JSON)',
          },
          {
            value: 'timestamps a JavaScript Date cannot hold (±infinity, after year 275760)',
            rows: (s?.beyond_date ?? 0) + (m?.beyond_date ?? 0),
            becomes: 'moved as the same instants; drizzle reads them as an Invalid Date',
          },
          {
            value: 'timestamps without time zone (created_at, updated_at)',
            rows: timestamps,
            becomes: 'read as UTC into timestamp with time zone',
          },
          { value: 'chat_sessions.move_id is NULL (orphans)', rows: s?.orphans ?? 0, becomes: orphanAction },
        ],
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
