import { type SQL, sql } from 'drizzle-orm';
import { type Database, type Queryable, queryRow } from '../../app/database.js';
import type { DifferenceCounts } from '../cutover/difference-advice.js';
import { type DifferenceKind, differenceKinds } from '../cutover/differences.js';
import { findDifferences } from '../cutover/find-differences.js';
import { pruneGuardLog } from '../cutover/prune-guard-log.js';
import { readCutoverState } from '../cutover/state.js';
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
  /** When the new app went live (chats:cutover), else null: then participants are no longer checked. */
  liveAt: Date | null;
  totals: ValidationTotals;
  checks: ValidationCheck[];
  /** The policy chats:migrate recorded (null before it ran): what the drop's guard advises by. */
  recordedOrphanPolicy: OrphanPolicy | null;
  /** legacy_chat_differences per kind, nonzero only: what failed the equality checks. */
  differences: DifferenceCounts;
}

export interface ValidateOptions {
  /** The policy the move ran with: under 'keep', orphans left in place are accounted for. Default archive. */
  orphans?: OrphanPolicy;
  /** How many failing ids to return per check. Default 1000. */
  idLimit?: number;
}

/**
 * The gate before the drop (npm run chats:validate): the legacy and the new tables are equal under the
 * mapping in both directions (conversations_cutover.legacy_chat_differences, the very check of the drop's guard):
 * every legacy session and message is moved with equal fields or accounted for by the orphan policy
 * (archived rows equal too), every conversation and message has its legacy row, no legacy message
 * lacks its session. Before go-live also: exactly one AI participant per moved conversation, owners
 * match the inference. One consistent snapshot, read-only; then it prunes the drop guard's log.
 */
export async function validateLegacyMove(
  db: Database,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const policy = options.orphans ?? 'archive';
  const limit = options.idLimit ?? 1000;
  await assertReadyToMove(db, 'chats:validate');
  const result = await db.transaction(
    async (tx) => {
      const ids = (query: SQL) => failingIds(tx, query, limit);
      const { liveAt, orphanPolicy: recordedOrphanPolicy } = await readCutoverState(tx);
      // One definition of "equal under the mapping" for the gate and the drop's guard.
      const differences = await findDifferences(tx, policy === 'keep', limit);
      const checks: ValidationCheck[] = differences.map((d) =>
        check(checkName(d.kind, policy), { failing: d.count, failingIds: d.ids }),
      );
      // Participants are the new shape's alone; before go-live the move's own must match the inference.
      if (liveAt === null) {
        checks.push(
          check(
            'every moved conversation has exactly one AI participant',
            await ids(aiParticipantMismatches),
          ),
          check(
            'employee owners match the inference (moves -> employees -> users by email)',
            await ids(ownerMismatches),
          ),
        );
      }
      const keptSessions = await queryRow<{ n: number }>(
        tx,
        sql`select count(*)::int as n from chat_sessions t
            where t.move_id is null
              and not exists (select 1 from legacy_chat_moved_sessions l where l.session_id = t.id)
              and not exists (select 1 from chat_session_archive a where a.session_id = t.id)`,
      );
      const t = await queryRow<Omit<ValidationTotals, 'keptSessions' | 'keptMessages'>>(tx, totalsQuery);
      const keptMessages = await queryRow<{ n: number }>(
        tx,
        sql`select count(*)::int as n from chat_messages cm join chat_sessions t on t.id = cm.session_id
            where t.move_id is null
              and not exists (select 1 from legacy_chat_moved_sessions l where l.session_id = t.id)
              and not exists (select 1 from chat_session_archive a where a.session_id = t.id)`,
      );
      const totals: ValidationTotals = {
        legacySessions: t.legacySessions,
        legacyMessages: t.legacyMessages,
        movedConversations: t.movedConversations,
        movedMessages: t.movedMessages,
        archivedSessions: t.archivedSessions,
        archivedMessages: t.archivedMessages,
        keptSessions: keptSessions.n,
        keptMessages: keptMessages.n,
        otherConversations: t.otherConversations,
        otherMessages: t.otherMessages,
      };
      const counts = Object.fromEntries(differences.filter((d) => d.count > 0).map((d) => [d.kind, d.count]));
      return {
        ok: checks.every((c) => c.ok),
        orphanPolicy: policy,
        liveAt,
        totals,
        checks,
        recordedOrphanPolicy,
        differences: counts,
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  // The one write: the drop guard's log loses what no later guard reads (prune-guard-log.ts).
  await pruneGuardLog(db);
  return result;
}

function checkName(kind: DifferenceKind, policy: OrphanPolicy): string {
  if (kind !== 'orphan-not-archived') return differenceKinds[kind];
  return policy === 'keep'
    ? 'orphan sessions are archived, attached, or kept for review (--orphans=keep)'
    : `${differenceKinds[kind]} (--orphans=${policy})`;
}

function check(name: string, result: { failing: number; failingIds: string[] }): ValidationCheck {
  return { check: name, ok: result.failing === 0, ...result };
}

async function failingIds(
  tx: Queryable,
  query: SQL,
  limit: number,
): Promise<{ failing: number; failingIds: string[] }> {
  const row = await queryRow<{ n: number; ids: string[] | null }>(
    tx,
    sql`select count(*)::int as n, (pg_catalog.array_agg(id::text order by id))[1:${limit}] as ids from ${query} f`,
  );
  return { failing: row.n, failingIds: row.ids ?? [] };
}

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
