import type { AnyPgDatabase } from '../app/conversations-schema.js';
import type { Database } from '../app/database.js';
import { readAcceptedDrift } from './accepted-drift.js';
import { readHistory } from './history.js';
import { defaultMigrationsFolder, readMigrations } from './migration-files.js';
import { isOnlineMigration } from './online-migration.js';
import { readStoryPosition, type StoryPosition } from './story.js';
import { findHistoryProblems, type HistoryProblem } from './verify.js';

export type MigrationState =
  /** In the history with the hash of today's file. */
  | 'applied'
  /** In the history, but the file changed since (an accepted edit says `accepted`). */
  | 'edited'
  | 'accepted'
  /** Not in the history; db:migrate applies it. */
  | 'pending'
  /** Not in the history and older than the last applied one: drizzle skips it, db:migrate refuses. */
  | 'out-of-order';

export interface MigrationStatus {
  tag: string;
  state: MigrationState;
  /** When the migration was generated (the journal's `when`, which drizzle stores as created_at). */
  generatedAt: string;
  /** Runs outside a transaction (first line `-- conversations-db: no-transaction`). */
  online: boolean;
}

export interface DatabaseStatus {
  migrations: MigrationStatus[];
  /** History rows no migration of the folder matches (renamed, re-timed or deleted after they ran). */
  unknownApplied: { createdAt: number }[];
  /** What db:migrate would refuse on (and db:check reports). */
  problems: HistoryProblem[];
  /** The database's place in the expand -> move -> drop story, and the command to run next. */
  position: StoryPosition;
}

/** Read-only: reads the history and the catalog, writes nothing, takes no lock. */
export async function readDatabaseStatus(
  db: AnyPgDatabase | Database,
  options: { migrationsFolder?: string } = {},
): Promise<DatabaseStatus> {
  const q = db as Database;
  const folder = options.migrationsFolder ?? defaultMigrationsFolder;
  const migrations = readMigrations(folder);
  const history = await readHistory(q);
  const accepted = await readAcceptedDrift(q);
  const problems = findHistoryProblems(migrations, history, accepted, folder);
  const byWhen = new Map(history.map((h) => [h.createdAt, h]));
  const lastApplied = history.at(-1)?.createdAt;
  const state = (m: (typeof migrations)[number]): MigrationState => {
    const applied = byWhen.get(m.when);
    if (applied) {
      if (applied.hash === m.hash) return 'applied';
      return problems.some((p) => p.kind === 'edited' && p.createdAt === m.when) ? 'edited' : 'accepted';
    }
    return lastApplied !== undefined && m.when < lastApplied ? 'out-of-order' : 'pending';
  };
  const known = new Set(migrations.map((m) => m.when));
  return {
    migrations: migrations.map((m) => ({
      tag: m.tag,
      state: state(m),
      generatedAt: new Date(m.when).toISOString(),
      online: isOnlineMigration(m.statements),
    })),
    unknownApplied: history.filter((h) => !known.has(h.createdAt)).map((h) => ({ createdAt: h.createdAt })),
    problems,
    position: await readStoryPosition(q, migrations),
  };
}
