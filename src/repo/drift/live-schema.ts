import { getTableName, type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';
import * as schema from '../../app/schema/index.js';
import { hostColumnProblems, hostTables } from '../../deploy/host-tables.js';
import { readStoryPosition } from '../../deploy/story.js';
import { CouldNotCheckError, type Finding } from './finding.js';
import { missingMessagesIndexes } from './missing-messages-indexes.js';
import { ownedObjects } from './owned-objects.js';
import { pendingMigrations } from './pending.js';
import type { Repository } from './repository.js';

type PushSchema = typeof import('drizzle-kit/api').pushSchema;

/**
 * The live database against the schema: the statements `drizzle-kit push` would run to make the
 * database match (computed, never applied) must be none. Only this package's tables and enums count;
 * the app's other tables are not drift.
 */
export async function checkLiveSchema(repo: Repository, db: Queryable): Promise<Finding[]> {
  const indexes = await missingMessagesIndexes(db);
  const pending = await pendingMigrations(repo, db);
  if (pending.length > 0) {
    // Comparing a database that is simply behind would list every statement of those migrations.
    const position = await readStoryPosition(db, repo.migrations());
    return [
      {
        check: 'live-schema',
        file: 'database',
        message: `is behind the migrations: ${pending.join(', ')} not applied yet, so it cannot be compared with the schema (${position.phase}: ${position.summary})`,
        fix: `run \`${position.next ?? 'npm run db:status'}\` (\`npm run db:status\` names each next step), then db:check again.`,
      },
      ...indexes.findings,
    ];
  }
  const owned = ownedObjects(schema);
  const hostIndexes = await indexesOf(db, hostTableNames);
  // The app's tables stay out of the comparison: drizzle-kit would otherwise ask about their extra columns.
  const statements = await statementsToMatchSchema(
    db,
    owned.tables.filter((table) => !hostTableNames.includes(table)),
  );
  const hostColumns = (await hostColumnProblems(db)).map((problem) => ({
    check: 'live-schema' as const,
    file: 'database',
    message: `the app's table does not have what this package references: ${problem}.`,
    fix: 'restore that column with the type src/app/schema/core.ts gives it (the foreign keys and the owner inference use it).',
  }));
  return [
    ...indexes.findings,
    ...hostColumns,
    ...statements
      .filter(
        (statement) =>
          // Told once above, with the command that builds them.
          !createsIndexNamed(statement, indexes.names) &&
          !dropsForeignObject(statement, owned) &&
          !touchesHostTable(statement, hostIndexes) &&
          !isSecurityStatement(statement),
      )
      .map((statement) => ({
        check: 'live-schema' as const,
        file: 'database',
        message: `differs from src/app/schema: to match, drizzle-kit would run: ${statement.replace(/\s+/g, ' ').trim()}`,
        fix: 'find who changed the database by hand; either undo that change or put it in the schema and generate a migration (`npm run db:generate`).',
      })),
  ];
}

async function statementsToMatchSchema(db: Queryable, tables: string[]): Promise<string[]> {
  // drizzle-kit/api is big and prints a spinner; load it only when a database is checked.
  const { pushSchema } = (await import('drizzle-kit/api')) as { pushSchema: PushSchema };
  // pushSchema only calls execute() and expects node-postgres' `{ rows }`; postgres.js returns an array.
  const rowsDb = { execute: async (query: SQL) => ({ rows: await queryRows(db, query) }) };
  try {
    const result = await withSilencedStdout(() =>
      pushSchema(schema, rowsDb as unknown as Parameters<PushSchema>[1], ['public'], tables),
    );
    return result.statementsToExecute;
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('Interactive prompts require a TTY')) {
      return [
        '(a table or column of this package was renamed or replaced in the database; drizzle-kit would ask whether it is a rename)',
      ];
    }
    throw new CouldNotCheckError(`drizzle-kit could not compare the database with the schema: ${message}`);
  }
}

function createsIndexNamed(statement: string, names: readonly string[]): boolean {
  const index = /^CREATE INDEX\s+(?:CONCURRENTLY\s+)?(?:IF NOT EXISTS\s+)?"([^"]+)"/i.exec(
    statement.trim(),
  )?.[1];
  return index !== undefined && names.includes(index);
}

/**
 * drizzle-kit reads every enum and sequence of the schema whatever the table filter, and would drop
 * the ones src/app/schema does not define; those belong to the app (an enum, a serial's sequence).
 */
function dropsForeignObject(statement: string, owned: { enums: string[]; sequences: string[] }): boolean {
  const match = /^DROP (TYPE|SEQUENCE)\s+(?:"[^"]+"\.)?"([^"]+)"/i.exec(statement.trim());
  if (!match?.[2]) return false;
  const ours = match[1]?.toUpperCase() === 'TYPE' ? owned.enums : owned.sequences;
  return !ours.includes(match[2]);
}

/**
 * The app owns users, employees and moves (with its own columns, constraints and indexes); this
 * package only relies on the columns hostColumnProblems checks, so drizzle-kit's changes to those
 * tables are not drift.
 */
function touchesHostTable(statement: string, hostIndexes: string[]): boolean {
  const text = statement.trim();
  const table = /^(?:ALTER|CREATE|DROP) TABLE\s+(?:IF (?:NOT )?EXISTS\s+)?(?:"public"\.)?"([^"]+)"/i.exec(
    text,
  )?.[1];
  if (table) return hostTableNames.includes(table);
  const indexedTable = /^CREATE (?:UNIQUE )?INDEX\b.*?\bON\s+(?:"public"\.)?"([^"]+)"/i.exec(text)?.[1];
  if (indexedTable) return hostTableNames.includes(indexedTable);
  const droppedIndex = /^DROP INDEX\s+(?:IF EXISTS\s+)?(?:"public"\.)?"([^"]+)"/i.exec(text)?.[1];
  return droppedIndex !== undefined && hostIndexes.includes(droppedIndex);
}

const hostTableNames: string[] = hostTables.map((t) => getTableName(t));

async function indexesOf(db: Queryable, tables: string[]): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select indexname as name from pg_catalog.pg_indexes where schemaname = 'public'
        and tablename in (${sql.join(
          tables.map((t) => sql`${t}`),
          sql`, `,
        )})`,
  );
  return rows.map((r) => r.name);
}

/**
 * Policies and row-level security are live-catalog's: drizzle-kit's CREATE POLICY for a dropped
 * policy leaves out its USING and WITH CHECK clauses, so the fix it implies would open the table.
 */
function isSecurityStatement(statement: string): boolean {
  return /^\s*(?:CREATE|ALTER|DROP) POLICY\b/i.test(statement) || /\bROW LEVEL SECURITY\b/i.test(statement);
}

/** drizzle-kit's API draws a progress spinner on stdout, which would corrupt `db:check --json`. */
async function withSilencedStdout<T>(body: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await body();
  } finally {
    process.stdout.write = write;
  }
}
