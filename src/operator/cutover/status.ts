import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';
import { moveTablesPresence } from '../legacy-move/preconditions.js';
import { readCutoverState } from './state.js';
import { syncTriggers } from './statement-sync-sql.js';
import { guardedSyncTriggers } from './sync-sql.js';

/**
 * Where the cutover stands:
 * - `before-expand`: the legacy tables, no new ones (run db:migrate to the expand step);
 * - `expand`: both shapes, the sync on, nothing backfilled yet (run chats:migrate);
 * - `backfill`: chats:migrate has run (it recorded its orphan policy); the new app may start;
 * - `live`: chats:cutover marked the new app live: the new tables win; the legacy ones are kept current
 *   for the retention period (seed 000's week), then dropped;
 * - `dropped`: the legacy tables are gone (the contract step ran).
 */
export type CutoverPhase = 'before-expand' | 'expand' | 'backfill' | 'live' | 'dropped';

export interface SyncTriggerState {
  table: string;
  trigger: string;
  /** Present and firing for ordinary sessions (pg_trigger.tgenabled O or A). */
  enabled: boolean;
  present: boolean;
}

export interface CutoverStatus {
  phase: CutoverPhase;
  /** on: every trigger present and enabled; off: none present; broken: some missing or disabled. */
  sync: 'on' | 'off' | 'broken';
  triggers: SyncTriggerState[];
  orphanPolicy: string | null;
  liveAt: Date | null;
  /** Seconds since go-live (measured by the database clock), null before. */
  liveForSeconds: number | null;
}

/** Reads the cutover's phase, the sync's state and the time since go-live. Read-only. */
export async function readCutoverStatus(db: Queryable): Promise<CutoverStatus> {
  const presence = await moveTablesPresence(db);
  const found = await queryRows<{ table: string; trigger: string; enabled: string; perRow: boolean }>(
    db,
    sql`select c.relname as table, t.tgname as trigger, t.tgenabled as enabled,
               (t.tgtype::int & 1) = 1 as "perRow"
        from pg_catalog.pg_trigger t
        join pg_catalog.pg_class c on c.oid = t.tgrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
        where not t.tgisinternal and t.tgname like 'legacy_chat_sync_%'`,
  );
  // A database that rolled back *_legacy_chat_sync_statement_level has 0015's sync again, whose messages
  // trigger fires per row: judge it by 0015's list, or a sound sync reads as broken.
  const perRowSync = found.some(
    (f) => f.table === 'messages' && f.trigger === 'legacy_chat_sync_reverse' && f.perRow,
  );
  const expected: readonly (readonly [string, string, string])[] = perRowSync
    ? guardedSyncTriggers
    : syncTriggers;
  const triggers = expected.map(([table, trigger]) => {
    const row = found.find((f) => f.table === table && f.trigger === trigger);
    return {
      table,
      trigger,
      present: row !== undefined,
      enabled: row?.enabled === 'O' || row?.enabled === 'A',
    };
  });
  const enabled = triggers.filter((t) => t.enabled).length;
  const sync = enabled === triggers.length ? 'on' : triggers.every((t) => !t.present) ? 'off' : 'broken';
  const state = await readCutoverState(db);
  const [clock] = await queryRows<{ seconds: number | null }>(
    db,
    sql`select extract(epoch from pg_catalog.now() - ${state.liveAt?.toISOString() ?? null}::timestamptz)::float8 as seconds`,
  );
  const phase: CutoverPhase = !presence.legacy
    ? presence.missingTarget.includes('conversations')
      ? 'before-expand'
      : 'dropped'
    : !presence.target
      ? 'before-expand'
      : state.liveAt
        ? 'live'
        : state.orphanPolicy
          ? 'backfill'
          : 'expand';
  return {
    phase,
    sync,
    triggers,
    orphanPolicy: state.orphanPolicy,
    liveAt: state.liveAt,
    liveForSeconds: clock?.seconds ?? null,
  };
}
