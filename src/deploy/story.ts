import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../app/database.js';
import { dropLegacyChatsSuffix, expandStepTag } from './expand-step.js';
import { readHistory } from './history.js';
import { baselineObjects, findBaselineObjects } from './legacy-presence.js';
import { type MigrationFile, readMigrations } from './migration-files.js';

/**
 * Where a database stands in the expand -> move -> drop story. Every command that refuses asks this,
 * so the advice it prints is the one next step that works from the state it found (never a command
 * that refuses in turn).
 */
export type StoryPhase =
  | 'empty'
  | 'host-unadopted'
  | 'legacy-unadopted'
  | 'incomplete-legacy'
  | 'baselined'
  | 'expanding'
  | 'expanded'
  | 'moved'
  | 'dropped';

export interface StoryPosition {
  phase: StoryPhase;
  /** One sentence: what the database holds. */
  summary: string;
  /** The command to run next (`npm run ...`), or null when the story is done. */
  next: string | null;
  /** Legacy rows neither moved nor archived (only in the expanded and moved phases). */
  unaccounted?: { sessions: number; messages: number };
}

export async function readStoryPosition(
  db: Queryable,
  migrations: MigrationFile[] = readMigrations(),
): Promise<StoryPosition> {
  const history = await readHistory(db);
  const expandTag = expandStepTag(migrations);
  const toExpand = `npm run db:migrate -- --to ${expandTag}`;
  if (history.length === 0) return unadoptedPosition(db);

  const applied = new Set(history.map((h) => h.createdAt));
  const isApplied = (m: MigrationFile) => applied.has(m.when);
  const pending = migrations.filter((m) => !isApplied(m));
  const drop = migrations.find((m) => m.tag.endsWith(dropLegacyChatsSuffix));
  if (drop === undefined || isApplied(drop)) {
    return {
      phase: 'dropped',
      summary: drop
        ? 'The legacy chat tables are dropped: the move is over.'
        : 'The chain has no drop of the legacy chat tables.',
      next: pending.length > 0 ? 'npm run db:migrate' : null,
    };
  }
  const expandIndex = migrations.findIndex((m) => m.tag === expandTag);
  const expandDone = migrations.slice(0, expandIndex + 1).every(isApplied);
  if (!expandDone) {
    const onlyBaseline = history.length === 1 && migrations[0] !== undefined && isApplied(migrations[0]);
    return {
      phase: onlyBaseline ? 'baselined' : 'expanding',
      summary: onlyBaseline
        ? 'Adopted (0000 recorded); the new tables are not created yet.'
        : `Part of the expand step is applied; ${pending
            .filter((m) => migrations.indexOf(m) <= expandIndex)
            .map((m) => m.tag)
            .join(', ')} still pending.`,
      next: toExpand,
    };
  }
  const unaccounted = await countUnaccounted(db);
  if (unaccounted.sessions + unaccounted.messages > 0) {
    return {
      phase: 'expanded',
      summary: `The new tables exist; ${unaccounted.sessions} legacy ${plural(unaccounted.sessions, 'session')} and ${unaccounted.messages} legacy ${plural(unaccounted.messages, 'message')} are neither moved nor archived.`,
      next: 'npm run chats:migrate',
      unaccounted,
    };
  }
  return {
    phase: 'moved',
    summary:
      'Every legacy row is moved or archived (`npm run chats:validate` compares them); the drop of the legacy tables is pending.',
    next: 'npm run db:migrate',
    unaccounted,
  };
}

async function unadoptedPosition(db: Queryable): Promise<StoryPosition> {
  const { present, missing } = await findBaselineObjects(db);
  if (present.length === 0) {
    return {
      phase: 'empty',
      summary: 'No tables of this package and no migration history.',
      next: 'npm run db:migrate',
    };
  }
  const hostOnly =
    baselineObjects.hostTables.every((t) => present.includes(t)) &&
    [...baselineObjects.legacyTables, ...baselineObjects.enums].every((o) => missing.includes(o));
  if (hostOnly) {
    return {
      phase: 'host-unadopted',
      summary: `The app's ${baselineObjects.hostTables.join(', ')} exist but no migration history: migration 0000 would fail on them.`,
      next: 'npm run db:baseline',
    };
  }
  if (missing.length === 0) {
    return {
      phase: 'legacy-unadopted',
      summary:
        'The host and legacy chat tables exist but no migration history: migration 0000 would fail on them.',
      next: 'npm run db:baseline',
    };
  }
  return {
    phase: 'incomplete-legacy',
    summary: `Some of the BEFORE schema exists (${present.join(', ')}) but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing, and there is no migration history.`,
    next: null,
  };
}

/**
 * Legacy rows neither moved (in the move's ledger) nor archived with their session: the drop's guard
 * refuses while any remain (drizzle/*_drop_legacy_chats.sql states the same condition in SQL).
 */
async function countUnaccounted(db: Queryable): Promise<{ sessions: number; messages: number }> {
  const [row] = await queryRows<{ sessions: string | number; messages: string | number }>(
    db,
    sql`select
      (select pg_catalog.count(*) from chat_sessions cs
        where not exists (select 1 from legacy_chat_moved_sessions l where l.session_id = cs.id)
          and not exists (select 1 from chat_session_archive a where a.session_id = cs.id)) as sessions,
      (select pg_catalog.count(*) from chat_messages cm
        where not exists (select 1 from legacy_chat_moved_messages lm join messages m on m.id = lm.message_id
                          where lm.message_id = cm.id)
          and not exists (select 1 from chat_session_archive a where a.session_id = cm.session_id
                          and a.messages @> pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('id', cm.id)))) as messages`,
  );
  return { sessions: Number(row?.sessions ?? 0), messages: Number(row?.messages ?? 0) };
}

export function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
