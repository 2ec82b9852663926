import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryRow } from '../src/app/database.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { rejection } from './support/rejection.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// queryRow: the one row an aggregate query returns, read without `row?.n ?? 0` at every caller.

let database: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase('query_row');
  handle = await database.open({ maxConnections: 1 });
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

it('returns the one row of a count over nothing: zero, not a missing row', async () => {
  expect(
    await queryRow<{ n: number }>(handle.db, sql`select count(*)::int as n from pg_class where false`),
  ).toEqual({
    n: 0,
  });
});

it('fails loudly when there is no row or more than one', async () => {
  const none = await rejection(queryRow(handle.db, sql`select 1 as n where false`));
  expect(none.message).toBe('queryRow: expected exactly one row, got 0.');
  const two = await rejection(queryRow(handle.db, sql`select n from (values (1), (2)) v (n)`));
  expect(two.message).toBe('queryRow: expected exactly one row, got 2.');
});
