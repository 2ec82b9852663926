import { sql } from 'drizzle-orm';
import type { Database, Queryable } from '../app/database.js';
import { conversationsAppRole } from '../app/schema/app-role.js';
import { tablesExposedToAppRole } from './app-role-exposure.js';
import { readDownStatements } from './down-migrations.js';
import { MigrationRefusedError } from './errors.js';
import { ensureHistoryTable, readHistory } from './history.js';
import { lockSchemaChanges, lockSchemaChangesForSession } from './lock.js';
import { defaultLockRetries } from './lock-retries.js';
import {
  defaultMigrationsFolder,
  type MigrationFile,
  migrationsSchema,
  migrationsTable,
  readMigrations,
} from './migration-files.js';
import { isOnlineMigration, runOnlineMigration } from './online-migration.js';

/** `--to` value that rolls back every migration, 0000 included. */
export const rollBackEverything = 'none';

/** SQLSTATE a down migration's guard raises when it refuses (see drizzle/down/*.sql). */
const downRefusedCode = 'CDB01';

export interface RollbackOptions {
  migrationsFolder?: string;
  /**
   * The migration to return to: it stays applied, every applied migration after it is reversed
   * (newest first). Its full tag or its number; `none` reverses everything.
   */
  to: string;
  /** Let the down migrations' guards pass (they drop data that did not come from legacy rows). */
  force?: boolean;
}

export interface RollbackResult {
  /** Tags reversed by this run, newest first. */
  rolledBack: string[];
  /** Tags still applied afterwards, in order. */
  stillApplied: string[];
}

/**
 * Reverses applied migrations with their drizzle/down/<tag>.sql files, in one transaction under the
 * same advisory lock as db:migrate, and deletes their rows from drizzle's bookkeeping so that
 * db:migrate (or drizzle-kit migrate) applies them again. A guard that refuses undoes the whole run.
 */
export async function rollbackDatabase(db: Database, options: RollbackOptions): Promise<RollbackResult> {
  const folder = options.migrationsFolder ?? defaultMigrationsFolder;
  const migrations = readMigrations(folder);
  const targetIndex = resolveTarget(
    migrations.map((m) => m.tag),
    options.to,
  );

  try {
    const planned = await db.transaction(async (tx) => {
      await lockSchemaChanges(tx);
      const plan = await rollbackPlan(tx, migrations, folder, targetIndex);
      if (plan.steps.some((step) => isOnlineMigration(step.statements))) return { plan, online: true };
      if (options.force) await allowForcedRollback(tx);
      for (const step of plan.steps) await reverse(tx, step);
      await refuseExposedAppRole(tx, migrations, targetIndex, options.to);
      return { plan, online: false };
    });
    if (!planned.online) return resultOf(planned.plan);

    // A down file marked `-- conversations-db: no-transaction` (DROP INDEX CONCURRENTLY) runs outside
    // any transaction: hold the lock for the session, and reverse one migration at a time.
    const lock = await lockSchemaChangesForSession(db);
    try {
      const plan = await db.transaction((tx) => rollbackPlan(tx, migrations, folder, targetIndex));
      for (const step of plan.steps) {
        if (isOnlineMigration(step.statements)) {
          await runOnlineMigration(db, lock, step.statements, defaultLockRetries, () => {});
          await forget(db, step.when);
        } else {
          await db.transaction(async (tx) => {
            await lock.assertHeldHere(tx);
            if (options.force) await allowForcedRollback(tx);
            await reverse(tx, step);
            await refuseExposedAppRole(tx, migrations, targetIndex, options.to);
          });
        }
      }
      return resultOf(plan);
    } finally {
      await lock.release();
    }
  } catch (error) {
    const refusal = guardRefusal(error);
    if (refusal) throw new MigrationRefusedError(refusal);
    throw error;
  }
}

interface RollbackStep {
  tag: string;
  when: number;
  statements: string[];
}

interface RollbackPlan {
  steps: RollbackStep[];
  stillApplied: string[];
}

function resultOf(plan: RollbackPlan): RollbackResult {
  return { rolledBack: plan.steps.map((step) => step.tag), stillApplied: plan.stillApplied };
}

/** What to reverse (newest first) and what stays, read under the lock. */
async function rollbackPlan(
  tx: Queryable,
  migrations: MigrationFile[],
  folder: string,
  targetIndex: number,
): Promise<RollbackPlan> {
  await ensureHistoryTable(tx);
  const history = await readHistory(tx);
  const appliedIndexes = history.map((row) => {
    const index = migrations.findIndex((m) => m.when === row.createdAt);
    if (index === -1) {
      throw new MigrationRefusedError(
        `The database applied a migration (created_at ${row.createdAt}) that drizzle/ does not have, so its down migration is unknown. Run \`npm run db:check\` and restore that migration first.`,
      );
    }
    return index;
  });
  const toReverse = appliedIndexes.filter((i) => i > targetIndex).sort((a, b) => b - a);
  const steps = toReverse.map((index) => {
    const tag = migrations[index]?.tag ?? '';
    const statements = readDownStatements(folder, tag);
    if (!statements) {
      throw new MigrationRefusedError(
        `Cannot roll back ${tag}: drizzle/down/${tag}.sql does not exist. Write its reverse there first (npm run db:check lists every missing down file).`,
      );
    }
    return { tag, when: migrations[index]?.when ?? 0, statements };
  });
  const reversed = new Set(toReverse);
  return {
    steps,
    stillApplied: appliedIndexes
      .filter((i) => !reversed.has(i))
      .sort((a, b) => a - b)
      .map((i) => migrations[i]?.tag ?? ''),
  };
}

async function allowForcedRollback(tx: Queryable): Promise<void> {
  await tx.execute(sql`select set_config('conversations_db.rollback_force', 'on', true)`);
}

async function reverse(tx: Queryable, step: RollbackStep): Promise<void> {
  for (const statement of step.statements) await tx.execute(sql.raw(statement));
  await forget(tx, step.when);
}

/** Deletes drizzle's row of a reversed migration, so db:migrate (or drizzle-kit migrate) applies it again. */
async function forget(tx: Queryable, when: number): Promise<void> {
  await tx.execute(
    sql`delete from ${sql.identifier(migrationsSchema)}.${sql.identifier(migrationsTable)} where created_at = ${when}`,
  );
}

/**
 * A partial rollback can take the policies away and leave the grants (the down of 0004 without that
 * of 0003): then every login granted the app role reads every row. Refuse; the transaction undoes the
 * down files it ran.
 */
async function refuseExposedAppRole(
  tx: Queryable,
  migrations: MigrationFile[],
  targetIndex: number,
  to: string,
): Promise<void> {
  const exposed = await tablesExposedToAppRole(tx);
  if (exposed.length === 0) return;
  throw new MigrationRefusedError(
    `Refusing to roll back to ${migrations[targetIndex]?.tag ?? to}: ${conversationsAppRole.name} would keep its grants on ${exposed.join(', ')} with no row-level security policy left, so any login granted it would read every row. Roll back to ${grantsGoneTag(
      migrations.map((m) => m.tag),
      migrations.map((m) => m.statements),
    )} instead (the grants go too), or to a later migration. Nothing was changed.`,
  );
}

/** The newest migration before the one that grants the app role its table privileges. */
function grantsGoneTag(tags: string[], statements: string[][]): string {
  const grants = statements.findIndex((list) =>
    list.some((s) =>
      new RegExp(`GRANT\\s+SELECT[\\s\\S]*TO\\s+"?${conversationsAppRole.name}"?`, 'i').test(s),
    ),
  );
  return grants > 0 ? (tags[grants - 1] ?? rollBackEverything) : rollBackEverything;
}

/** The index of the migration to keep; -1 for `none` (keep nothing). */
function resolveTarget(tags: string[], to: string): number {
  if (to === rollBackEverything) return -1;
  const index = tags.findIndex((tag) => tag === to || tag.split('_')[0] === to);
  if (index === -1) {
    throw new MigrationRefusedError(
      `--to ${to}: no such migration. Known tags: ${tags.join(', ')}; or \`${rollBackEverything}\` to roll back everything.`,
    );
  }
  return index;
}

/** A down guard's RAISE (SQLSTATE CDB01) as one line, whichever driver or wrapper carried it. */
function guardRefusal(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const pg = e as { code?: unknown; message?: string; hint?: string };
    if (pg.code === downRefusedCode) return [pg.message, pg.hint].filter(Boolean).join(' ');
  }
  return undefined;
}
