import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { conversationParticipants, conversations, messages, users } from '../src/app/schema/index.js';
import { withUser } from '../src/app/security/with-user.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import { type DatabaseHandle, openDatabase } from '../src/operator/connect.js';
import { insertMoveWithOwner } from './support/host-rows.js';
import { rejection } from './support/rejection.js';
import { hasServer, runScopedName, serverOnlyReason, testServer } from './support/test-database.js';

// The production shape, with no superuser in sight: a non-superuser owner runs the migrations and
// owns the tables, and the app logs in as its own role that was granted conversations_app.
// Named for the run, which drops the database and then the roles when it ends (see runScopedName).
const ownerRole = runScopedName('rls_owner');
const appLogin = runScopedName('rls_app');
const databaseName = runScopedName('rls_roles');
const password = 'rls-roles-test';

let admin: postgres.Sql | undefined;
let asOwner: DatabaseHandle | undefined;
let asApp: DatabaseHandle | undefined;

function urlFor(role: string): string {
  if (testServer.mode !== 'server') throw new Error('server mode only');
  const url = new URL(testServer.adminUrl);
  url.username = role;
  url.password = password;
  url.pathname = `/${databaseName}`;
  return url.toString();
}

beforeAll(async () => {
  if (testServer.mode !== 'server') return;
  admin = postgres(testServer.adminUrl, { max: 1, onnotice: () => {} });
  // The owner has no CREATEROLE, as in production: the role must already exist on the server, which
  // the migration's own idempotent statement (run here by the admin) guarantees.
  const createRole = readMigrations()
    .flatMap((m) => m.statements)
    .find((s) => s.includes('CREATE ROLE conversations_app'));
  await admin.unsafe(createRole ?? 'select 1');
  await admin.unsafe(`CREATE ROLE "${ownerRole}" LOGIN PASSWORD '${password}'`);
  await admin.unsafe(`CREATE ROLE "${appLogin}" LOGIN PASSWORD '${password}'`);
  await admin.unsafe(`GRANT conversations_app TO "${appLogin}"`);
  await admin.unsafe(`CREATE DATABASE "${databaseName}" OWNER "${ownerRole}"`);

  asOwner = await openDatabase({ url: urlFor(ownerRole), maxConnections: 1 });
  await migrateDatabase(asOwner.db);
  const { db } = asOwner;
  const { move } = await insertMoveWithOwner(db, 'roles');
  await db.insert(users).values([
    { id: 'alice', email: 'alice@example.com' },
    { id: 'dave', email: 'dave@example.com' },
  ]);
  const [conversation] = await db
    .insert(conversations)
    .values({ moveId: move.id, title: 'lease' })
    .returning();
  await db.insert(conversationParticipants).values({
    conversationId: conversation?.id ?? '',
    userId: 'alice',
    participantType: 'employee',
  });
  await db
    .insert(messages)
    .values({ conversationId: conversation?.id ?? '', authorId: 'alice', content: 'hi' });
  asApp = await openDatabase({ url: urlFor(appLogin), maxConnections: 1 });
});

afterAll(async () => {
  await asApp?.close();
  await asOwner?.close();
  await admin?.end();
});

it.skipIf(!hasServer)(
  `a non-superuser owner migrates and sees every row; an app login granted the role sees only its user's ${serverOnlyReason}`,
  async () => {
    if (!asOwner || !asApp) throw new Error('setup did not run');
    const app = asApp.db;
    const [owned] = await queryRows<{ owner: string; messages: number }>(
      asOwner.db,
      sql`select (select tableowner from pg_tables where tablename = 'messages') as owner,
                 (select count(*)::int from messages) as messages`,
    );
    expect(owned).toEqual({ owner: ownerRole, messages: 1 });

    const seen = (userId: string) =>
      withUser(app, userId, async (tx) => ({
        conversations: (await tx.select().from(conversations)).length,
        messages: (await tx.select().from(messages)).length,
      }));
    expect(await seen('alice')).toEqual({ conversations: 1, messages: 1 });
    expect(await seen('dave')).toEqual({ conversations: 0, messages: 0 });

    // An app connection that forgets withUser is still under the policies, with nobody set.
    const [direct] = await queryRows<{ role: string; messages: number }>(
      asApp.db,
      sql`select current_user as role, (select count(*)::int from messages) as messages`,
    );
    expect(direct).toEqual({ role: appLogin, messages: 0 });
  },
);

it.skipIf(!hasServer)(
  `a deploy role without CREATEROLE is told who must create the app role ${serverOnlyReason}`,
  async () => {
    if (!asOwner) throw new Error('setup did not run');
    // The migration's own statement, aimed at a role that does not exist yet on this server.
    const probe = runScopedName('rls_missing');
    const statement = readMigrations()
      .flatMap((m) => m.statements)
      .find((s) => s.includes('CREATE ROLE conversations_app'));
    const error = await rejection(
      asOwner.db.execute(sql.raw((statement ?? '').replaceAll('conversations_app', probe))),
    );
    expect(error.message).toBe(`role ${probe} does not exist and ${ownerRole} may not create roles`);
    expect(error.hint).toBe(
      `Have an administrator run CREATE ROLE ${probe} NOLOGIN once on this server, then migrate again.`,
    );
  },
);
