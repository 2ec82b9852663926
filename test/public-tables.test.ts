import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTableColumns, getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import * as main from '../src/app/index.js';
import { columnComments } from '../src/app/schema/column-comments.js';
import * as schema from '../src/app/schema/index.js';
import {
  appFacingRoles,
  ownedRoles,
  publicTables,
  type TableRole,
  tableNamesWithRole,
} from '../src/app/schema/tables.js';
import { rowLevelSecurityTables } from '../src/app/security/protected-tables.js';
import * as zod from '../src/app/zod/index.js';
import { hostTables } from '../src/deploy/host-tables.js';
import { baselineObjects } from '../src/deploy/legacy-presence.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { moveTargetTables } from '../src/operator/legacy-move/preconditions.js';
import { schemaDocPath } from '../src/repo/docs/er-diagram.js';
import { repoRoot } from './support/run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// src/app/schema/tables.ts is the one list of the package's tables and their roles. tsc already refuses
// a table that src/app/schema/index.ts exports and the list lacks; these tests check that each place
// that lists tables takes them from the list (so a new table cannot be left out of one), and that the
// database the migrations build has exactly the listed tables, with row-level security where the role
// says so.

const tablesOf = (values: Record<string, unknown>) =>
  Object.values(values)
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => getTableName(table))
    .sort();
const sorted = (names: readonly string[]) => [...names].sort();
const allRoles: TableRole[] = ['host', 'conversations', 'archive', 'ledger', 'cutover'];

describe('the one list of public tables', () => {
  it('lists every table of the schema drizzle-kit generates from, once', () => {
    const listed = tableNamesWithRole(...allRoles);
    expect(new Set(listed).size).toBe(listed.length);
    expect(sorted(listed)).toEqual(tablesOf(schema));
    expect(Object.keys(publicTables).length).toBe(listed.length);
  });

  it('`.` and conversationsSchema carry exactly the app-facing tables: no ledger, no cutover state', () => {
    const appFacing = sorted(tableNamesWithRole(...appFacingRoles));
    expect(tablesOf(main)).toEqual(appFacing);
    expect(tablesOf(main.conversationsSchema)).toEqual(appFacing);
    expect(appFacing).not.toContain('legacy_chat_moved_sessions');
    expect(appFacing).not.toContain('legacy_chat_cutover');
  });

  it('`./zod` has a select schema for every table apps read (roles conversations and archive)', () => {
    const shapes = Object.values(zod).flatMap((value) =>
      typeof value === 'object' && value !== null && 'shape' in value
        ? [
            Object.keys(value.shape as object)
              .sort()
              .join(','),
          ]
        : [],
    );
    const read = Object.values(publicTables).filter((e) => ['conversations', 'archive'].includes(e.role));
    const missing = read.filter(
      (e) => !shapes.includes(Object.keys(getTableColumns(e.table)).sort().join(',')),
    );
    expect(read.length).toBeGreaterThan(0);
    expect(missing.map((e) => getTableName(e.table))).toEqual([]);
  });

  it('each derived list holds every table of its roles', () => {
    expect(rowLevelSecurityTables).toEqual(tableNamesWithRole('conversations'));
    expect(hostTables.map((t) => getTableName(t))).toEqual(tableNamesWithRole('host'));
    expect(baselineObjects.hostTables).toEqual(tableNamesWithRole('host'));
    expect(moveTargetTables).toEqual(tableNamesWithRole(...ownedRoles));
    expect([...new Set(columnComments.map((c) => c.table))]).toEqual(
      tableNamesWithRole('conversations', 'archive'),
    );
  });

  it('docs/schema.md names every table under its role', () => {
    const doc = readFileSync(join(repoRoot, schemaDocPath), 'utf8');
    for (const role of allRoles) {
      const names = tableNamesWithRole(role);
      expect(doc).toContain(`| ${role} | ${names.map((name) => `\`${name}\``).join(', ')} |`);
    }
  });
});

describe('the list against a migrated database', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabase('public_tables', { at: 'migrated' });
    handle = await database.open();
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('has exactly the listed tables in public, row-level security on the conversations role only', async () => {
    const rows = await queryRows<{ name: string; rls: boolean }>(
      handle.db,
      sql`select c.relname as name, c.relrowsecurity as rls
          from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
    );
    expect(rows.map((r) => r.name)).toEqual(sorted(tableNamesWithRole(...allRoles)));
    expect(rows.filter((r) => r.rls).map((r) => r.name)).toEqual(sorted(tableNamesWithRole('conversations')));
  });
});
