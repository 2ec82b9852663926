import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { WithUserStatementError } from '../src/app/errors/security-errors.js';
import { withUser, withUserStatement } from '../src/app/security/with-user.js';
import { createConversation, createParticipant, createUser } from '../src/app/testing/index.js';
import { postMessage } from '../src/app/writes/post-message.js';
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

describe.skipIf(!hasServer)(`withUserStatement on postgres.js ${serverOnlyReason}`, () => {
  const rowsOf = async (table: string) =>
    (await admin?.unsafe<{ n: number }[]>(`select n from ${table} order by n`))?.map((r) => r.n);
  const probe = async () =>
    (
      await admin?.unsafe<{ n: string }[]>('select last_value::text as n, is_called from with_user_probe')
    )?.[0];
  const thrownBy = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected withUserStatement to reject');
      },
      (error: unknown) => error as Error,
    );
  const clean = async (db: ReturnType<typeof connect>) => [
    ...(await db.execute(
      sql`select current_user as role, nullif(current_setting('app.user_id', true), '') as user, now() = statement_timestamp() as fresh`,
    )),
  ];

  it('posts a message as the user in one round trip: COMMIT is written before the statement’s answer is read', async () => {
    const owner = connect(database?.url ?? '');
    const user = await createUser(owner);
    const conversation = await createConversation(owner);
    await createParticipant(owner, {
      conversationId: conversation.id,
      userId: user.id,
    });
    const log: string[] = [];
    const db = connect(database?.url ?? '', log);
    const message = await withUserStatement(db, user.id, async (tx) => {
      const posted = await postMessage(tx, {
        conversationId: conversation.id,
        authorId: user.id,
        content: 'one round trip',
      });
      log.push('statement answered');
      return posted;
    });
    expect(message).toMatchObject({
      conversationId: conversation.id,
      authorId: user.id,
      content: 'one round trip',
    });
    // BEGIN, set_config, the insert and COMMIT were all written before the insert's answer came back.
    const written = log.map((q) =>
      q === 'statement answered'
        ? q
        : /^(begin|commit)$/i.test(q)
          ? q.toLowerCase()
          : q.split(' ')[0]?.toLowerCase(),
    );
    // (postgres.js's first query on a new connection, its type lookup, comes before.)
    expect(written.slice(written.indexOf('begin'))).toEqual([
      'begin',
      'select',
      'insert',
      'commit',
      'statement answered',
    ]);
    // Committed: another connection sees it.
    const seen = await admin?.unsafe<{ content: string }[]>('select content from messages where id = $1', [
      message.id,
    ]);
    expect(seen).toEqual([{ content: 'one round trip' }]);
    expect(await clean(db)).toEqual([{ role: 'postgres', user: null, fresh: true }]);
  });

  it('refuses a second statement unsent, names it, and says the first was committed', async () => {
    await admin?.unsafe('CREATE TABLE IF NOT EXISTS with_user_st_rows (n int)');
    await admin?.unsafe('GRANT SELECT, INSERT ON with_user_st_rows TO conversations_app');
    const db = connect(database?.url ?? '');
    const before = await probe();
    const error = await thrownBy(
      withUserStatement(db, 'alice', async (tx) => {
        await tx.execute(sql`insert into with_user_st_rows values (1)`);
        await tx.execute(sql`select nextval('with_user_probe')`);
      }),
    );
    expect(error).toBeInstanceOf(WithUserStatementError);
    expect(error.message).toBe(
      "withUserStatement: the callback sent a second statement (select nextval('with_user_probe')), which was not run; the first one was already committed. Send one statement per withUserStatement call, or use withUser for several statements in one transaction.",
    );
    // The first statement was committed; the second never reached the server, in or out of a transaction.
    expect(await rowsOf('with_user_st_rows')).toEqual([1]);
    expect(await probe()).toEqual(before);
    // A callback that catches the refusal and returns still fails the call.
    const caught = await thrownBy(
      withUserStatement(db, 'alice', async (tx) => {
        await tx.execute(sql`insert into with_user_st_rows values (2)`);
        await tx.execute(sql`select nextval('with_user_probe')`).catch(() => undefined);
        return 'done';
      }),
    );
    expect(caught).toBeInstanceOf(WithUserStatementError);
    expect(await rowsOf('with_user_st_rows')).toEqual([1, 2]);
    expect(await probe()).toEqual(before);
    expect(await clean(db)).toEqual([{ role: 'postgres', user: null, fresh: true }]);
    await admin?.unsafe('DROP TABLE with_user_st_rows');
  });

  it('keeps nothing when its statement fails, and (as autocommit would) keeps the statement when the callback throws after it', async () => {
    await admin?.unsafe('CREATE TABLE IF NOT EXISTS with_user_st_fail (n int check (n > 0))');
    await admin?.unsafe('GRANT SELECT, INSERT ON with_user_st_fail TO conversations_app');
    const db = connect(database?.url ?? '');
    const failed = await rejection(
      withUserStatement(db, 'alice', (tx) => tx.execute(sql`insert into with_user_st_fail values (-1)`)),
    );
    expect(failed.code).toBe('23514');
    expect(await rowsOf('with_user_st_fail')).toEqual([]);
    const thrown = await rejection(
      withUserStatement(db, 'alice', async (tx) => {
        await tx.execute(sql`insert into with_user_st_fail values (7)`);
        throw new Error('the app changed its mind');
      }),
    );
    expect(thrown.message).toBe('the app changed its mind');
    expect(await rowsOf('with_user_st_fail')).toEqual([7]);
    // With withUser the same callback keeps nothing: that is the difference withUserStatement documents.
    await rejection(
      withUser(db, 'alice', async (tx) => {
        await tx.execute(sql`insert into with_user_st_fail values (8)`);
        throw new Error('the app changed its mind');
      }),
    );
    expect(await rowsOf('with_user_st_fail')).toEqual([7]);
    expect(await clean(db)).toEqual([{ role: 'postgres', user: null, fresh: true }]);
    await admin?.unsafe('DROP TABLE with_user_st_fail');
  });
});
