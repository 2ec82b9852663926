import { readdirSync } from 'node:fs';
import type { AcceptedDrift } from './accepted-drift.js';
import type { AppliedMigration } from './history.js';
import { journalPath } from './journal.js';
import type { MigrationFile } from './migration-files.js';

/**
 * Something that makes the history of a database and the migrations folder disagree. drizzle never
 * notices any of these: it decides what to run by `when` alone.
 */
export interface HistoryProblem {
  kind: 'edited' | 'out-of-order' | 'unknown-applied' | 'unjournaled' | 'journal-order';
  /** The migration concerned (or the file, for an unjournaled one). */
  tag: string;
  createdAt: number;
  /** The file's sha256 today (edited). */
  hash: string | null;
  /** The file to look at, relative to the repository root. */
  file: string;
  message: string;
  fix: string;
  /** Whether `--accept-drift` may let a deploy continue past it (and record that it did). */
  acceptable: boolean;
}

/**
 * Flyway's validate for drizzle's bookkeeping: an applied migration edited since, one merged with an
 * older `when` that drizzle would skip for good, an applied row the journal no longer names, and a
 * journal that disagrees with the files. Problems an operator accepted earlier (recorded) are not
 * reported again.
 */
export function findHistoryProblems(
  migrations: MigrationFile[],
  history: AppliedMigration[],
  accepted: AcceptedDrift[],
  migrationsFolder: string,
): HistoryProblem[] {
  return [
    ...journalProblems(migrations, migrationsFolder),
    ...appliedProblems(migrations, history, accepted),
  ];
}

function appliedProblems(
  migrations: MigrationFile[],
  history: AppliedMigration[],
  accepted: AcceptedDrift[],
): HistoryProblem[] {
  const problems: HistoryProblem[] = [];
  const byWhen = new Map(migrations.map((m) => [m.when, m]));
  const isAccepted = (createdAt: number, kind: HistoryProblem['kind'], hash: string | null) =>
    accepted.some((a) => a.createdAt === createdAt && a.kind === kind && a.hash === hash);

  for (const applied of history) {
    const migration = byWhen.get(applied.createdAt);
    if (!migration) {
      if (isAccepted(applied.createdAt, 'unknown-applied', null)) continue;
      problems.push({
        kind: 'unknown-applied',
        tag: `created_at ${applied.createdAt}`,
        createdAt: applied.createdAt,
        hash: null,
        file: `drizzle/${journalPath}`,
        message: `the database applied a migration (created_at ${applied.createdAt}, sha256 ${applied.hash.slice(0, 12)}) that the journal no longer names: it was renamed, re-timed or deleted after it ran.`,
        fix: 'restore that migration and its journal entry from git; never rewrite a migration that has been deployed, add a new one.',
        acceptable: true,
      });
      continue;
    }
    if (migration.hash === applied.hash || isAccepted(applied.createdAt, 'edited', migration.hash)) continue;
    problems.push({
      kind: 'edited',
      tag: migration.tag,
      createdAt: migration.when,
      hash: migration.hash,
      file: `drizzle/${migration.tag}.sql`,
      message: `edited after it was applied: the database ran sha256 ${applied.hash.slice(0, 12)}, the file is now ${migration.hash.slice(0, 12)}; drizzle will not run it again.`,
      fix: `restore the applied version (\`git log -p -- drizzle/${migration.tag}.sql\`) and put the change in a new migration (\`npm run db:generate\`).`,
      acceptable: true,
    });
  }

  const lastApplied = history.at(-1)?.createdAt;
  if (lastApplied === undefined) return problems;
  const appliedWhens = new Set(history.map((h) => h.createdAt));
  for (const migration of migrations) {
    if (migration.when >= lastApplied || appliedWhens.has(migration.when)) continue;
    problems.push({
      kind: 'out-of-order',
      tag: migration.tag,
      createdAt: migration.when,
      hash: migration.hash,
      file: `drizzle/${migration.tag}.sql`,
      message: `never applied, and its when (${migration.when}) is older than the last applied migration (${lastApplied}): drizzle will skip it forever (a branch merged with an older migration).`,
      fix: `regenerate it on top of the latest migration so its when is newer (delete drizzle/${migration.tag}.sql, its snapshot and journal entry, run \`npm run db:generate\`), then \`npm run db:migrate\`.`,
      acceptable: true,
    });
  }
  return problems;
}

/** Files the journal does not name (never applied by anyone) and entries out of `when` order. */
function journalProblems(migrations: MigrationFile[], migrationsFolder: string): HistoryProblem[] {
  const problems: HistoryProblem[] = [];
  const tags = new Set(migrations.map((m) => m.tag));
  const files = readdirSync(migrationsFolder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => entry.name.slice(0, -'.sql'.length));
  for (const file of files.filter((f) => !tags.has(f)).sort()) {
    problems.push({
      kind: 'unjournaled',
      tag: file,
      createdAt: 0,
      hash: null,
      file: `drizzle/${file}.sql`,
      message: 'this migration is not in the journal, so no migrator will ever apply it.',
      fix: 'generate migrations with `npm run db:generate` (it writes the journal entry); a hand-made file belongs in `npx drizzle-kit generate --custom --name <name>`.',
      acceptable: false,
    });
  }
  migrations.forEach((migration, position) => {
    const previous = migrations[position - 1];
    if (!previous || migration.when > previous.when) return;
    problems.push({
      kind: 'journal-order',
      tag: migration.tag,
      createdAt: migration.when,
      hash: migration.hash,
      file: `drizzle/${journalPath}`,
      message: `entry ${migration.tag} has when ${migration.when}, not after ${previous.tag} (${previous.when}): drizzle would skip it on every database that already applied ${previous.tag}.`,
      fix: `give ${migration.tag} a when greater than ${previous.when} (regenerate it on top of main, or edit its when if it was never deployed).`,
      acceptable: false,
    });
  });
  return problems;
}

/** The one line a migrate refusal prints for a problem. */
export function describeProblem(problem: HistoryProblem): string {
  return `${problem.file}: ${problem.message} Fix: ${problem.fix}`;
}
