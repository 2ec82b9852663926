import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { withUser } from '../src/app/security/with-user.js';
import { rejection } from './support/rejection.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
  testServer,
} from './support/test-database.js';

// Issue 17: on postgres.js, withUser's set_config is pipelined ahead of the callback's first statement
// instead of costing a round trip of its own; and if it fails, nothing the callback sends runs.

const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
const outsider = `cdb_wu_outsider_${suffix}`;
const password = 'with-user-round-trips';

let database: TestDatabase | undefined;
let admin: postgres.Sql | undefined;

const clients: postgres.Sql[] = [];
function connect(url: string, log?: string[]) {
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    debug: log ? (_connection, query) => log.push(query.replace(/\s+/g, ' ').trim()) : undefined,
  });
  clients.push(client);
  return drizzle(client);
}

beforeAll(async () => {
  if (!hasServer) return;
  database = await createTestDatabase('with_user_rt', { at: 'migrated' });
  admin = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE ROLE "${outsider}" LOGIN PASSWORD '${password}'`);
  // A sequence advances outside transactions: if a statement of the callback ran at all, it shows.
  await admin.unsafe('CREATE SEQUENCE with_user_probe');
  await admin.unsafe(`GRANT USAGE ON SEQUENCE with_user_probe TO "${outsider}"`);
});

afterAll(async () => {
  for (const client of clients) await client.end();
  if (admin) {
    await admin.unsafe(`DROP OWNED BY "${outsider}"`).catch(() => {});
    await admin.end();
  }
  await database?.drop();
  if (testServer.mode === 'server') {
    const server = postgres(testServer.adminUrl, { max: 1, onnotice: () => {} });
    await server.unsafe(`DROP ROLE IF EXISTS "${outsider}"`);
    await server.end();
  }
});

describe.skipIf(!hasServer)(`withUser on postgres.js ${serverOnlyReason}`, () => {
  it('sends the callback’s first statement without waiting for set_config’s answer', async () => {
    const log: string[] = [];
    const db = connect(database?.url ?? '', log);
    const who = await withUser(db, 'alice', async (tx) => {
      log.push('callback starts');
      return queryRows<{ role: string; user: string }>(
        tx,
        sql`select current_user as role, current_setting('app.user_id', true) as user`,
      );
    });
    // The callback's statement ran as the app role for alice, so it ran after set_config...
    expect(who).toEqual([{ role: 'conversations_app', user: 'alice' }]);
    // ...yet the callback had started before set_config was even written: no round trip between them.
    const setConfig = log.findIndex((q) => q.includes('set_config'));
    expect(setConfig).toBeGreaterThan(-1);
    expect(log.indexOf('callback starts')).toBeLessThan(setConfig);
    expect(log.filter((q) => /^(begin|commit)$/i.test(q))).toEqual(['begin', 'commit']);
    // Nor had BEGIN been written: the callback did not wait for its answer either, so BEGIN,
    // set_config and the first statement leave together (drizzle's db.transaction waits for BEGIN).
    expect(log.indexOf('callback starts')).toBeLessThan(log.indexOf('begin'));
    expect(log.indexOf('begin')).toBeLessThan(setConfig);
  });

  it('keeps drizzle’s transaction semantics on the pipelined connection: savepoints, rollback, a caught failure', async () => {
    const db = connect(database?.url ?? '');
    await admin?.unsafe('CREATE TABLE IF NOT EXISTS with_user_rt_rows (n int)');
    await admin?.unsafe('GRANT SELECT, INSERT ON with_user_rt_rows TO conversations_app');
    await admin?.unsafe('TRUNCATE with_user_rt_rows');
    const rows = async () =>
      (await admin?.unsafe<{ n: number }[]>('select n from with_user_rt_rows order by n'))?.map((r) => r.n);
    // A nested transaction that fails is undone to its savepoint; the rest commits.
    await withUser(db, 'alice', async (tx) => {
      await tx.execute(sql`insert into with_user_rt_rows values (1)`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into with_user_rt_rows values (2)`);
          await inner.execute(sql`select 1/0`);
        })
        .catch(() => undefined);
      await tx.execute(sql`insert into with_user_rt_rows values (3)`);
    });
    expect(await rows()).toEqual([1, 3]);
    // tx.rollback() undoes everything and rejects, as in db.transaction.
    await expect(
      withUser(db, 'alice', async (tx) => {
        await tx.execute(sql`insert into with_user_rt_rows values (4)`);
        tx.rollback();
      }),
    ).rejects.toThrow(/rollback/i);
    // A failed statement the callback caught still fails the call, with that statement's error, and
    // nothing of the transaction is kept.
    const error = await rejection(
      withUser(db, 'alice', async (tx) => {
        await tx.execute(sql`insert into with_user_rt_rows values (5)`);
        await tx.execute(sql`select 1/0`).catch(() => undefined);
        return 'done';
      }),
    );
    expect(error.code).toBe('22012');
    expect(await rows()).toEqual([1, 3]);
    // The connection is back in the pool with no transaction, role or user left on it.
    expect([
      ...(await db.execute(
        sql`select current_user as role, nullif(current_setting('app.user_id', true), '') as user, now() = statement_timestamp() as fresh`,
      )),
    ]).toEqual([{ role: 'postgres', user: null, fresh: true }]);
    await admin?.unsafe('DROP TABLE with_user_rt_rows');
  });

  it('when set_config fails, nothing the callback sends runs, even if it catches and goes on', async () => {
    const url = new URL(database?.url ?? '');
    url.username = outsider;
    url.password = password;
    const db = connect(url.toString());
    const probe = async () =>
      (
        await admin?.unsafe<{ n: string }[]>('select last_value::text as n, is_called from with_user_probe')
      )?.[0];
    const before = await probe();
    let attempts = 0;
    const error = await rejection(
      withUser(db, 'alice', async (tx) => {
        for (let i = 0; i < 3; i++) {
          attempts++;
          await tx.execute(sql`select nextval('with_user_probe')`).catch(() => undefined);
        }
        return 'done';
      }),
    );
    // The role could not be set (the login is not a member of conversations_app): that is the error...
    expect(error.code).toBe('42501');
    expect(error.message).toMatch(/permission denied to set role "conversations_app"/);
    // ...the callback ran to its end, and not one of its statements ran, in the transaction or after it.
    expect(attempts).toBe(3);
    expect(await probe()).toEqual(before);
    // The connection is clean afterwards: no role, no user, no open transaction.
    expect([
      ...(await db.execute(sql`select current_user as role, current_setting('app.user_id', true) as user`)),
    ]).toEqual([{ role: outsider, user: null }]);
  });
});
