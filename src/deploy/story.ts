import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../app/database.js';
import { legacyChatCutover } from '../app/schema/legacy-chat-cutover.js';
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
  /**
   * The command to run next (`npm run ...`), or null when no command is: the story is done (`dropped`),
   * or only a fix by hand helps (the summary says which).
   */
  next: string | null;
  /**
   * Set by `db:status --verify` (src/operator/cutover/verify-position.ts) between the expand step and
   * the drop: the rows legacy_chat_differences(false) finds, per kind (empty when equal): exactly what
   * the drop's guard refuses on.
   */
  differences?: Record<string, number>;
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
  return movePosition(db);
}

/**
 * Between the expand step and the drop, only what the cutover recorded (cheap, and exact about what it
 * claims): before chats:migrate ran, the move is next; after it, the drop, whose guard runs the one
 * definition of "accounted for" (legacy_chat_differences, the check of chats:validate) and names the
 * step to take when it refuses. No count of its own, which could disagree with the guard.
 * `db:status --verify` runs that definition itself (src/operator/cutover/verify-position.ts).
 */
async function movePosition(db: Queryable): Promise<StoryPosition> {
  const [recorded] = await queryRows<{ policy: string | null }>(
    db,
    sql`select ${legacyChatCutover.orphanPolicy} as policy from ${legacyChatCutover}`,
  );
  const policy = recorded?.policy ?? null;
  return policy !== null
    ? {
        phase: 'moved',
        summary: `chats:migrate has run (orphans: ${policy}); the drop of the legacy tables is pending. Its guard runs the check of \`npm run chats:validate\` and refuses, naming the step to take, unless the legacy and new tables are equal (\`npm run db:status -- --verify\` runs that check now).`,
        next: 'npm run db:migrate',
      }
    : {
        phase: 'expanded',
        summary: 'The new tables exist and chats:migrate has not run yet.',
        next: 'npm run chats:migrate',
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
