import { sql } from 'drizzle-orm';
import type { AnyPgDatabase } from '../app/conversations-schema.js';
import type { Database, Queryable } from '../app/database.js';
import { ensureAcceptedDriftTable, readAcceptedDrift, recordAcceptedDrift } from './accepted-drift.js';
import { MigrationRefusedError, MigrationVerificationError } from './errors.js';
import { dropLegacyChatsSuffix, expandStepTag } from './expand-step.js';
import { ensureHistoryTable, readHistory, recordApplied } from './history.js';
import { lockSchemaChanges, lockSchemaChangesForSession } from './lock.js';
import {
  defaultLockRetries,
  type LockRetry,
  type LockRetryOptions,
  withLockRetries,
} from './lock-retries.js';
import { defaultMigrationsFolder, type MigrationFile, readMigrations } from './migration-files.js';
import { isOnlineMigration, runOnlineMigration } from './online-migration.js';
import { readStoryPosition } from './story.js';
import { describeProblem, findHistoryProblems, type HistoryProblem } from './verify.js';

export interface MigrateOptions {
  migrationsFolder?: string;
  /** Apply up to and including this tag; default: every pending migration. */
  to?: string | undefined;
  /**
   * Let the run continue past problems the verification found (an edited applied migration, an
   * out-of-order one, an applied one the journal lost), recording each with this reason; out-of-order
   * migrations are then applied. Never needed on a healthy chain.
   */
  acceptDrift?: { reason: string } | undefined;
  /** lock_timeout and retries for every migration (default: defaultLockRetries). */
  lockRetries?: LockRetryOptions | undefined;
  /** Told about each attempt that timed out on a lock, before the run sleeps and retries. */
  onLockRetry?: ((retry: LockRetry & { tags: string[] }) => void | Promise<void>) | undefined;
}

export interface MigrateResult {
  /** Tags applied by this run, in order. */
  applied: string[];
  /** Tags that were applied before this run. */
  alreadyApplied: string[];
  /** Tags still pending after this run because they come after `to`. */
  leftPending: string[];
  /** When `to` names a migration the database is already past: the last applied tag. */
  pastTarget: string | undefined;
  /** Problems accepted (and recorded) by this run under `acceptDrift`. */
  accepted: HistoryProblem[];
  /** Attempts that timed out on a lock and were retried. */
  lockRetries: number;
}

/**
 * drizzle's migrate(), plus what a production deploy needs: an advisory lock so concurrent deploys
 * queue instead of colliding; `to` so an expand step can stop before a contract step; Flyway's
 * validate-on-migrate (nothing is applied while the history and the files disagree); lock_timeout with
 * retries; and online migrations, run outside the transaction. The bookkeeping rows are the ones
 * drizzle writes, so plain `drizzle-kit migrate` carries on from here. Without an online migration
 * everything runs in one transaction: a failing migration (or a guard that RAISEs) leaves nothing.
 */
export async function migrateDatabase(
  appDb: AnyPgDatabase | Database,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const db = appDb as Database;
  const folder = options.migrationsFolder ?? defaultMigrationsFolder;
  const migrations = readMigrations(folder);
  const target = resolveTarget(migrations, options.to);
  const retries = options.lockRetries ?? defaultLockRetries;
  let lockRetries = 0;
  const onRetry = (tags: string[]) => async (retry: LockRetry) => {
    lockRetries++;
    await options.onLockRetry?.({ ...retry, tags });
  };

  // Decide the plan under the transaction lock; online migrations then need the session lock instead.
  const planned = await withLockRetries(retries, onRetry([]), () =>
    db.transaction(async (tx) => {
      await lockSchemaChanges(tx);
      const plan = await verifiedPlan(tx, migrations, target, folder, options);
      if (plan.toApply.some((m) => isOnlineMigration(m.statements))) return { plan, online: true };
      await recordAccepted(tx, plan, options);
      await applyInTransaction(tx, plan.toApply, migrations, retries);
      return { plan, online: false };
    }),
  );
  // The single transaction above may have been retried: count only what it finally did.
  if (!planned.online) return resultOf(planned.plan, planned.plan.toApply, lockRetries);

  const lock = await lockSchemaChangesForSession(db);
  try {
    const plan = await db.transaction(async (tx) => {
      const verified = await verifiedPlan(tx, migrations, target, folder, options);
      await recordAccepted(tx, verified, options);
      return verified;
    });
    const applied: MigrationFile[] = [];
    for (const segment of segments(plan.toApply)) {
      const tags = segment.migrations.map((m) => m.tag);
      if (segment.online) {
        const [migration] = segment.migrations;
        if (!migration) continue;
        await runOnlineMigration(db, lock, migration.statements, retries, onRetry(tags));
        await lock.assertHeldHere();
        await recordApplied(db, migration.hash, migration.when);
      } else {
        await withLockRetries(retries, onRetry(tags), () =>
          db.transaction(async (tx) => {
            await lock.assertHeldHere(tx);
            await applyInTransaction(tx, segment.migrations, migrations, retries);
          }),
        );
      }
      applied.push(...segment.migrations);
    }
    return resultOf(plan, applied, lockRetries);
  } finally {
    await lock.release();
  }
}

interface Plan {
  toApply: MigrationFile[];
  alreadyApplied: string[];
  leftPending: string[];
  pastTarget: string | undefined;
  accepted: HistoryProblem[];
}

function resultOf(plan: Plan, applied: MigrationFile[], lockRetries: number): MigrateResult {
  return {
    applied: applied.map((m) => m.tag),
    alreadyApplied: plan.alreadyApplied,
    leftPending: plan.leftPending,
    pastTarget: plan.pastTarget,
    accepted: plan.accepted,
    lockRetries,
  };
}

/**
 * Reads the history under the lock, refuses what must not be migrated (listing what may be accepted),
 * and returns what to apply. Pending is what the history lacks; with the verification passed, that is
 * exactly what drizzle would apply.
 */
async function verifiedPlan(
  tx: Queryable,
  migrations: MigrationFile[],
  target: number,
  folder: string,
  options: MigrateOptions,
): Promise<Plan> {
  await ensureHistoryTable(tx);
  const history = await readHistory(tx);
  if (history.length === 0) await refuseUnadoptedDatabase(tx, migrations);

  const problems = findHistoryProblems(migrations, history, await readAcceptedDrift(tx), folder);
  const blocking = problems.filter((p) => !p.acceptable || !options.acceptDrift);
  if (blocking.length > 0) {
    const overridable = blocking.every((p) => p.acceptable);
    throw new MigrationVerificationError(
      `nothing applied: the database's history and drizzle/ disagree (${blocking.length} ${blocking.length === 1 ? 'problem' : 'problems'}): ` +
        `${blocking.map(describeProblem).join(' ')}` +
        (overridable
          ? ' Run `npm run db:check` for the full report. Only if the change is deliberate, deploy past it with `npm run db:migrate -- --accept-drift "<reason>"` (recorded in drizzle.conversations_db_accepted_drift).'
          : ''),
    );
  }
  const applied = new Set(history.map((h) => h.createdAt));
  const plan: Plan = {
    toApply: [],
    alreadyApplied: [],
    leftPending: [],
    pastTarget: undefined,
    accepted: [],
  };
  plan.accepted = options.acceptDrift ? problems : [];
  for (const [index, migration] of migrations.entries()) {
    if (applied.has(migration.when)) plan.alreadyApplied.push(migration.tag);
    else if (index > target) plan.leftPending.push(migration.tag);
    else plan.toApply.push(migration);
  }
  const lastAppliedIndex = Math.max(-1, ...migrations.map((m, i) => (applied.has(m.when) ? i : -1)));
  if (lastAppliedIndex > target) plan.pastTarget = migrations[lastAppliedIndex]?.tag;
  return plan;
}

async function recordAccepted(tx: Queryable, plan: Plan, options: MigrateOptions): Promise<void> {
  if (plan.accepted.length === 0 || !options.acceptDrift) return;
  await ensureAcceptedDriftTable(tx);
  for (const problem of plan.accepted) {
    await recordAcceptedDrift(tx, { ...problem, reason: options.acceptDrift.reason });
  }
}

async function applyInTransaction(
  tx: Queryable,
  toApply: MigrationFile[],
  migrations: MigrationFile[],
  retries: LockRetryOptions,
): Promise<void> {
  if (toApply.length === 0) return;
  // After the advisory lock: the deploy may queue behind another deploy, never the app behind it.
  await tx.execute(sql`select pg_catalog.set_config('lock_timeout', ${`${retries.lockTimeoutMs}ms`}, true)`);
  for (const migration of toApply) {
    try {
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
    } catch (error) {
      throw explainDropRefusal(error, migration, toApply, migrations);
    }
    await recordApplied(tx, migration.hash, migration.when);
  }
}

/**
 * The drop's guard says "run chats:migrate", which is right only when the expand step was applied
 * before this run. When this run carried the expand step too, its rollback took the new tables with
 * it: the step that works is the expand step alone.
 */
function explainDropRefusal(
  error: unknown,
  migration: MigrationFile,
  toApply: MigrationFile[],
  migrations: MigrationFile[],
): unknown {
  if (!migration.tag.endsWith(dropLegacyChatsSuffix) || sqlState(error) !== 'P0001') return error;
  const expand = expandStepTag(migrations);
  if (!toApply.some((m) => m.tag === expand)) return error;
  return new MigrationRefusedError(
    `nothing applied: the drop of the legacy chat tables (${migration.tag}) refuses while legacy chats are not moved, and it came in the same run as the expand step, so the whole run was rolled back. ` +
      `Run \`npm run db:migrate -- --to ${expand}\` first, then move the chats.`,
  );
}

function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Runs of transactional migrations, and each online migration on its own, in order. */
function segments(toApply: MigrationFile[]): { online: boolean; migrations: MigrationFile[] }[] {
  const result: { online: boolean; migrations: MigrationFile[] }[] = [];
  for (const migration of toApply) {
    const online = isOnlineMigration(migration.statements);
    const last = result.at(-1);
    if (last && !online && !last.online) last.migrations.push(migration);
    else result.push({ online, migrations: [migration] });
  }
  return result;
}

function resolveTarget(migrations: MigrationFile[], to: string | undefined): number {
  if (to === undefined) return migrations.length - 1;
  const index = migrations.findIndex((m) => m.tag === to || m.tag.split('_')[0] === to);
  if (index === -1) {
    throw new MigrationRefusedError(
      `--to ${to}: no such migration. Known tags: ${migrations.map((m) => m.tag).join(', ')}.`,
    );
  }
  return index;
}

/** Migration 0000 would fail on tables that already exist: say what to run instead. */
async function refuseUnadoptedDatabase(tx: Queryable, migrations: MigrationFile[]): Promise<void> {
  const position = await readStoryPosition(tx, migrations);
  if (position.phase === 'empty') return;
  throw new MigrationRefusedError(
    `${position.summary} ${position.next ? `Run \`${position.next}\` first.` : 'Restore the missing tables (or point DATABASE_URL at the right database) first.'}`,
  );
}
