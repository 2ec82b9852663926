import type { Queryable } from '../../app/database.js';
import { checkAppliedHashes } from './applied-hashes.js';
import { checkColumnComments } from './column-comments.js';
import { checkDownFiles } from './down-files.js';
import { checkWithDrizzleKit } from './drizzle-kit-check.js';
import { type CheckName, checkNames, type Finding } from './finding.js';
import { checkJournal } from './journal.js';
import { checkLiveCatalog } from './live-catalog.js';
import { checkLiveSchema } from './live-schema.js';
import type { Repository } from './repository.js';
import { checkSchemaAgainstMigrations } from './schema-vs-migrations.js';
import { checkWithSquawk } from './squawk.js';

export interface CheckReport {
  findings: Finding[];
  /** Checks that failed to run: the gate is incomplete. */
  couldNotCheck: { check: CheckName; reason: string }[];
  /** Checks not run on purpose (no database given, or not selected). */
  skipped: { check: CheckName; reason: string }[];
}

export interface RunChecksOptions {
  /** The database to check; without it the database checks are skipped. */
  db?: Queryable | undefined;
  /** Why there is no database, printed with the skipped checks. */
  noDatabaseReason?: string;
  /** Run only these checks (default: all). */
  only?: CheckName[] | undefined;
}

/** The checks that read the database: skipped without one. */
export const databaseChecks: readonly CheckName[] = [
  'applied-hashes',
  'live-schema',
  'live-catalog',
  'column-comments',
];

export async function runChecks(repo: Repository, options: RunChecksOptions = {}): Promise<CheckReport> {
  const report: CheckReport = { findings: [], couldNotCheck: [], skipped: [] };
  const checks: Record<CheckName, (db: Queryable) => Promise<Finding[]> | Finding[]> = {
    'schema-vs-migrations': () => checkSchemaAgainstMigrations(repo),
    'drizzle-kit-check': () => checkWithDrizzleKit(repo),
    journal: () => checkJournal(repo),
    squawk: () => checkWithSquawk(repo),
    'down-files': () => checkDownFiles(repo),
    'applied-hashes': (db) => checkAppliedHashes(repo, db),
    'live-schema': (db) => checkLiveSchema(repo, db),
    'live-catalog': (db) => checkLiveCatalog(repo, db),
    'column-comments': (db) => checkColumnComments(db),
  };
  // The checks that start a process (drizzle-kit twice, squawk: ~1.7 s of start-up each) run at
  // once; the database checks share one connection, so they run one after another meanwhile. The
  // report lists every check in checkNames' order whatever finished first.
  type Outcome = { findings: Finding[] } | { reason: string };
  const outcome = async (run: () => Promise<Finding[]> | Finding[]): Promise<Outcome> => {
    try {
      return { findings: await run() };
    } catch (error) {
      return { reason: (error as Error).message };
    }
  };
  const pending = new Map<CheckName, Promise<Outcome>>();
  let databaseQueue: Promise<unknown> = Promise.resolve();
  for (const name of checkNames) {
    if (options.only && !options.only.includes(name)) continue;
    const needsDatabase = databaseChecks.includes(name);
    if (needsDatabase && !options.db) {
      report.skipped.push({ check: name, reason: options.noDatabaseReason ?? 'no database given' });
      continue;
    }
    // Database checks only run with a database (above); the others ignore the argument.
    const run = () => checks[name](options.db as Queryable);
    if (needsDatabase) {
      const next = databaseQueue.then(() => outcome(run));
      databaseQueue = next;
      pending.set(name, next);
    } else pending.set(name, outcome(run));
  }
  for (const [check, result] of pending) {
    const done = await result;
    if ('findings' in done) report.findings.push(...done.findings);
    else report.couldNotCheck.push({ check, reason: done.reason });
  }
  return report;
}
