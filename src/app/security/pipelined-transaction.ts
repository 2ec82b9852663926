import type { PgDialect, PgSession, PgTransaction } from 'drizzle-orm/pg-core';
// A namespace import, not a named one: drizzle-orm 1.0 has no PgTransaction in pg-core, and a named import
// of it would fail the package's import before its peer check can say which drizzle-orm to install.
import * as pgCore from 'drizzle-orm/pg-core';

/** drizzle's own key for an entity's kind (drizzle-orm/entity.js): the same symbol, without importing it. */
const entityKind = Symbol.for('drizzle:entityKind');

/** The part of a postgres.js query this module uses: execute() puts it on the connection now. */
interface PendingQuery extends PromiseLike<unknown> {
  execute(): unknown;
  catch(onRejected: (error: unknown) => unknown): Promise<unknown>;
}

/** What drizzle's postgres.js session calls on its client inside a transaction. */
interface ScopeClient {
  unsafe(text: string, params?: unknown[], options?: { prepare?: boolean }): PendingQuery;
  savepoint<T>(callback: (client: ScopeClient) => Promise<T>): Promise<T>;
  options: unknown;
}

interface ReservedClient {
  unsafe(text: string, params?: unknown[], options?: { prepare?: boolean }): PendingQuery;
  release(): void;
  options: unknown;
}

interface PoolClient {
  reserve(): Promise<ReservedClient>;
  unsafe: unknown;
}

/** drizzle's postgres.js session: its client, and what a session of the transaction is made from. */
interface DrizzleSession {
  client: unknown;
  dialect: PgDialect;
  schema: ConstructorParameters<typeof PgTransaction>[2];
  options: unknown;
}

type SessionClass = new (client: unknown, dialect: PgDialect, schema: unknown, options: unknown) => PgSession;

/** The postgres.js pool behind drizzle's `db`, and its session's class (drizzle-orm/postgres-js is not
 * imported: it imports the optional `postgres` peer as it loads, and an app on PGlite has none). */
function poolOf(
  db: unknown,
): { pool: PoolClient; session: DrizzleSession; Session: SessionClass } | undefined {
  const session = (db as { session?: Partial<DrizzleSession> } | null)?.session;
  const Session = session?.constructor as (SessionClass & { [entityKind]?: string }) | undefined;
  if (!session || Session?.[entityKind] !== 'PostgresJsSession') return undefined;
  const pool = session.client as Partial<PoolClient> | undefined;
  if (typeof pool?.reserve !== 'function' || typeof pool.unsafe !== 'function') return undefined;
  return { pool: pool as PoolClient, session: session as DrizzleSession, Session };
}

type TransactionClass = new (
  origin: { session: DrizzleSession; Session: SessionClass },
  client: ScopeClient,
) => PgTransaction<never, Record<string, unknown>, never>;

let transactionClass: TransactionClass | null | undefined;

/**
 * drizzle's postgres.js transaction, over one scope of the pipelined connection: the same as
 * PostgresJsTransaction (a nested transaction is a savepoint of the client), built here because
 * drizzle-orm/postgres-js imports the optional `postgres` peer as it loads. Null when this drizzle has no
 * PgTransaction to build it on (the caller then uses db.transaction).
 */
function pipelinedTransactionClass(): TransactionClass | null {
  if (transactionClass !== undefined) return transactionClass;
  const Base = (pgCore as { PgTransaction?: unknown }).PgTransaction as typeof PgTransaction | undefined;
  if (typeof Base !== 'function') {
    transactionClass = null;
    return null;
  }
  class PipelinedTransaction extends Base<never, Record<string, unknown>, never> {
    static readonly [entityKind]: string = 'PipelinedPostgresJsTransaction';

    constructor(
      private readonly origin: { session: DrizzleSession; Session: SessionClass },
      client: ScopeClient,
    ) {
      super(
        origin.session.dialect,
        new origin.Session(client, origin.session.dialect, origin.session.schema, origin.session.options),
        origin.session.schema as never,
      );
      this.scopeClient = client;
    }

    private readonly scopeClient: ScopeClient;

    override transaction<T>(
      callback: (tx: PgTransaction<never, Record<string, unknown>, never>) => Promise<T>,
    ): Promise<T> {
      return this.scopeClient.savepoint((client) => callback(new PipelinedTransaction(this.origin, client)));
    }
  }
  transactionClass = PipelinedTransaction;
  return transactionClass;
}

/** SQLSTATE 25P02: a statement sent after an earlier one failed, which the server did not run. */
const inFailedTransaction = '25P02';

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/**
 * One scope of the transaction (the whole of it, or a savepoint's part), as postgres.js's own begin()
 * keeps one: the first failure of any statement sent in it, awaited or not, caught or not, fails the
 * scope, because PostgreSQL has aborted the transaction (or the savepoint) whatever the callback did.
 */
function scopeOn(reserved: ReservedClient, savepoints: { next: number }) {
  let failure: { error: unknown } | undefined;
  const client: ScopeClient = {
    options: reserved.options,
    unsafe(text, params, options) {
      const query = reserved.unsafe(text, params ?? [], options ?? {});
      query.catch((error) => {
        failure ??= { error };
      });
      return query;
    },
    async savepoint(callback) {
      const name = `s${savepoints.next++}`;
      await client.unsafe(`savepoint ${name}`);
      const inner = scopeOn(reserved, savepoints);
      try {
        const result = await inner.run(callback);
        await client.unsafe(`release savepoint ${name}`);
        return result;
      } catch (error) {
        await reserved.unsafe(`rollback to savepoint ${name}`);
        throw error;
      }
    },
  };
  return {
    client,
    /** The first statement of the scope that failed, once its answer has come back. */
    failed: () => failure,
    /** Runs `callback` in the scope; throws the scope's first failure when there was one. */
    async run<T>(callback: (client: ScopeClient) => Promise<T>): Promise<T> {
      let result: T;
      try {
        result = await callback(client);
      } catch (error) {
        // What the caller awaited was refused unrun because an earlier statement had failed: report that one.
        throw codeOf(error) === inFailedTransaction && failure ? failure.error : error;
      }
      if (failure) throw failure.error;
      return result;
    },
  };
}

/**
 * The reserved connection as withUserStatement uses it: once armed, the first statement sent is followed at
 * once by COMMIT, in the same write, so BEGIN, set_config, the statement and COMMIT cost one round trip.
 * Any statement after that one would run outside the transaction, as the connecting role with no user
 * set: it is refused before it reaches the connection.
 */
function committingBehindOneStatement(reserved: ReservedClient, refusal: (statement: string) => Error) {
  let armed = false;
  let commit: PendingQuery | undefined;
  let refused: Error | undefined;
  const client: ReservedClient = {
    options: reserved.options,
    release: () => reserved.release(),
    unsafe(text, params, options) {
      if (commit) {
        refused ??= refusal(text);
        throw refused;
      }
      const query = reserved.unsafe(text, params ?? [], options ?? {});
      if (armed) {
        // execute() puts each on the connection in the order called: the statement, then COMMIT.
        query.execute();
        commit = reserved.unsafe('commit');
        commit.execute();
      }
      return query;
    },
  };
  return {
    client,
    arm: () => {
      armed = true;
    },
    /** COMMIT, when the one statement has been sent and COMMIT behind it. */
    commit: () => commit,
    refused: () => refused,
  };
}

/**
 * Runs `callback` in a transaction on a connection of the postgres.js pool behind `db`, with `first`
 * (for example withUser's set_config) and the callback's statements sent right behind BEGIN, without
 * waiting for its answer: BEGIN, `first` and the callback's first statement reach the server in one
 * round trip, and the transaction costs one more, COMMIT. drizzle's `db.transaction` (postgres.js's
 * begin()) waits for BEGIN's answer before it runs the callback: one round trip more per call. What
 * the callback gets is drizzle's own postgres.js transaction over that connection, so queries, the
 * query builder, nested `tx.transaction` (savepoints) and `tx.rollback()` behave as in
 * `db.transaction`, and as there the first statement that fails fails the whole call, even one the
 * callback caught (PostgreSQL has aborted the transaction).
 *
 * Returns undefined when `db` is not drizzle over a postgres.js pool (node-postgres, PGlite, or a
 * transaction passed in): the caller then uses `db.transaction`. drizzle does not expose its session;
 * this reads the fields drizzle-orm/postgres-js keeps it in (tested in
 * test/with-user-round-trips.test.ts, so a drizzle upgrade that moves them fails there).
 */
export function pipelinedTransaction<Tx, T>(
  db: unknown,
  first: { sql: string; params: unknown[] },
  callback: (tx: Tx) => Promise<T>,
  options: { commitBehindFirstStatement?: { refusal: (statement: string) => Error } } = {},
): Promise<T> | undefined {
  const found = poolOf(db);
  const Transaction = pipelinedTransactionClass();
  if (!found || !Transaction) return undefined;
  const { pool } = found;
  return (async () => {
    const reserved = await pool.reserve();
    try {
      const single = options.commitBehindFirstStatement;
      const connection = single ? committingBehindOneStatement(reserved, single.refusal) : undefined;
      const scope = scopeOn(connection?.client ?? reserved, { next: 0 });
      scope.client.unsafe('begin').execute();
      // Prepared: unprepared, a statement with parameters costs postgres.js a Parse/Describe round trip.
      scope.client.unsafe(first.sql, first.params, { prepare: true }).execute();
      connection?.arm();
      let result: T;
      try {
        result = await scope.run((client) => callback(new Transaction(found, client) as Tx));
      } catch (error) {
        // With COMMIT already sent behind the one statement, COMMIT's answer, not a ROLLBACK, ends the
        // transaction. A lost connection fails the ROLLBACK too; the callback's error explains it.
        const outcome = await (connection?.commit() ?? reserved.unsafe('rollback')).then(
          () => undefined,
          (lost: unknown) => ({ lost }),
        );
        const refused = connection?.refused();
        // The statement before a refused one was committed (COMMIT's answer is in, so the refusal's "was
        // committed" is true), unless it failed or the connection was lost, which then explain more.
        if (refused) throw scope.failed()?.error ?? outcome?.lost ?? refused;
        throw error;
      }
      const commit = (await (connection?.commit() ?? reserved.unsafe('commit'))) as { command?: string };
      // Answers come in order: a statement the callback never awaited (or `first`, when the callback
      // sent nothing) has failed by now if it failed, and the server has answered COMMIT with ROLLBACK.
      const failure = scope.failed();
      if (failure) throw failure.error;
      // A callback that caught the refusal of its second statement and went on still did not do its work.
      const refused = connection?.refused();
      if (refused) throw refused;
      if (commit.command === 'ROLLBACK') {
        throw new Error(
          'The transaction was rolled back by the server instead of committed; nothing it wrote was kept.',
        );
      }
      return result;
    } finally {
      reserved.release();
    }
  })();
}
