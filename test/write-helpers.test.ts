import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import {
  InvalidInputError,
  WriteNotPermittedError,
  WriteTargetNotFoundError,
} from '../src/app/errors/write-errors.js';
import { listUserConversations } from '../src/app/queries/user-conversations.js';
import { conversationParticipants, conversations, messages, users } from '../src/app/schema/index.js';
import { withUser } from '../src/app/security/with-user.js';
import { archiveConversation, markRead, postMessage, startConversation } from '../src/app/writes/index.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { insertMoveWithOwner } from './support/host-rows.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// Issue 15 item 5: the write helpers, as the owning service (the table owner) and as the app role
// through withUser, under the row-level security policies and grants of the migrations. PGlite has
// roles and RLS too, so this runs in both modes.

let database: TestDatabase;
let handle: DatabaseHandle;
let moveId = '';

/** Every row of the three tables, to prove a refused write changed nothing. */
async function snapshot() {
  const { db } = handle;
  return {
    conversations: await db.select().from(conversations).orderBy(conversations.id),
    participants: await db.select().from(conversationParticipants).orderBy(conversationParticipants.id),
    messages: await db.select().from(messages).orderBy(messages.id),
  };
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** A conversation on the move with alice (owner), bob (participant), carol (observer) and the AI. */
async function startLease(title = 'lease') {
  return startConversation(handle.db, {
    conversation: { moveId, title, createdBy: 'alice' },
    participants: [
      { userId: 'alice', participantType: 'employee', role: 'owner' },
      { userId: 'bob', participantType: 'vendor' },
      { userId: 'carol', participantType: 'admin', role: 'observer' },
      { participantType: 'ai' },
    ],
  });
}

beforeAll(async () => {
  database = await createTestDatabase('write_helpers');
  handle = await database.open({ maxConnections: 1 });
  await migrateDatabase(handle.db);
  moveId = (await insertMoveWithOwner(handle.db, 'writes')).move.id;
  await handle.db
    .insert(users)
    .values(['alice', 'bob', 'carol', 'dave'].map((id) => ({ id, email: `${id}@example.com` })));
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe('startConversation (the owning service)', () => {
  it('writes the conversation and its participants together and returns them', async () => {
    const { conversation, participants } = await startLease('started');
    expect(conversation).toMatchObject({ moveId, title: 'started', status: 'active', createdBy: 'alice' });
    expect(conversation.lastMessageAt).toBeNull();
    const stored = await handle.db
      .select({
        userId: conversationParticipants.userId,
        type: conversationParticipants.participantType,
        role: conversationParticipants.role,
      })
      .from(conversationParticipants)
      .where(eq(conversationParticipants.conversationId, conversation.id))
      .orderBy(conversationParticipants.participantType);
    expect(stored).toEqual([
      { userId: 'alice', type: 'employee', role: 'owner' },
      { userId: 'carol', type: 'admin', role: 'observer' },
      { userId: 'bob', type: 'vendor', role: 'participant' },
      { userId: null, type: 'ai', role: 'participant' },
    ]);
    expect(participants.map((p) => p.conversationId)).toEqual(Array(4).fill(conversation.id));
  });

  it('bad input is refused before any write, naming every wrong field', async () => {
    const before = await snapshot();
    const error = await thrown(
      startConversation(handle.db, {
        conversation: { moveId: 'not-a-uuid', title: '   ' },
        participants: [{ userId: 'alice', participantType: 'employee' }, { participantType: 'vendor' }],
      }),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    const invalid = error as InvalidInputError;
    expect(invalid.fields.sort()).toEqual([
      'conversation.moveId',
      'conversation.title',
      'participants.1.userId',
    ]);
    expect(invalid.message).toContain('conversation.moveId: moveId must be a UUID');
    expect(invalid.message).toContain(
      'participants.1.userId: userId is required for a participant of type vendor',
    );
    expect(invalid.message).toContain('Nothing was written');
    expect(await snapshot()).toEqual(before);
  });

  it('a user listed twice, or two AI participants, is refused before the unique indexes would', async () => {
    const error = await thrown(
      startConversation(handle.db, {
        conversation: { moveId },
        participants: [
          { userId: 'alice', participantType: 'employee' },
          { participantType: 'ai' },
          { userId: 'alice', participantType: 'admin' },
          { participantType: 'ai' },
        ],
      }),
    );
    expect((error as InvalidInputError).fields).toEqual([
      'participants.2.userId',
      'participants.3.participantType',
    ]);
    expect((error as Error).message).toContain('userId alice is listed twice');
  });

  it('input that is not an object at all is named as the input', async () => {
    const error = await thrown(startConversation(handle.db, null as never));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).fields).toEqual(['(input)']);
    expect((error as Error).message).toBe(
      'startConversation: the input must be an object with conversation and participants. Nothing was written; correct the input and try again.',
    );
  });

  it('no participants is refused', async () => {
    const error = await thrown(startConversation(handle.db, { conversation: { moveId }, participants: [] }));
    expect((error as InvalidInputError).fields).toEqual(['participants']);
  });

  it('a participant whose user does not exist leaves no conversation behind (one transaction)', async () => {
    const before = await snapshot();
    const error = await thrown(
      startConversation(handle.db, {
        conversation: { moveId, title: 'ghost' },
        participants: [{ participantType: 'ai' }, { userId: 'nobody', participantType: 'employee' }],
      }),
    );
    expect(error).toBeInstanceOf(WriteTargetNotFoundError);
    expect((error as Error).message).toContain('(user_id)=(nobody)');
    expect(await snapshot()).toEqual(before);
  });

  it('inside withUser it is refused: the app role may not create conversations', async () => {
    const before = await snapshot();
    const error = await thrown(
      withUser(handle.db, 'alice', (tx) =>
        startConversation(tx, {
          conversation: { moveId, title: 'by the app' },
          participants: [{ userId: 'alice', participantType: 'employee' }],
        }),
      ),
    );
    expect(error).toBeInstanceOf(WriteNotPermittedError);
    expect((error as Error).message).toMatch(
      /not inside withUser.*permission denied for table conversations/,
    );
    expect(await snapshot()).toEqual(before);
  });
});

describe('postMessage', () => {
  it('as the current user, through withUser: the row is the user’s, and the conversation’s activity moves', async () => {
    const { conversation } = await startLease();
    const message = await withUser(handle.db, 'bob', (tx) =>
      postMessage(tx, { conversationId: conversation.id, authorId: 'bob', content: 'quote attached' }),
    );
    expect(message).toMatchObject({ authorId: 'bob', authorType: 'user', content: 'quote attached' });
    const [after] = await handle.db.select().from(conversations).where(eq(conversations.id, conversation.id));
    expect(after?.lastMessageAt).toEqual(message.createdAt);
    // An activity bump is not an edit of the conversation.
    expect(after?.updatedAt).toEqual(conversation.updatedAt);
  });

  it('refuses, writing nothing, a forged author, a post by an observer, a post as the AI and a stranger’s post', async () => {
    const { conversation } = await startLease();
    const before = await snapshot();
    const attempts: [string, Parameters<typeof postMessage>[1]][] = [
      ['bob', { conversationId: conversation.id, authorId: 'alice', content: 'forged' }],
      ['carol', { conversationId: conversation.id, authorId: 'carol', content: 'observer' }],
      ['bob', { conversationId: conversation.id, authorId: 'bob', authorType: 'ai', content: 'as ai' }],
      ['dave', { conversationId: conversation.id, authorId: 'dave', content: 'stranger' }],
    ];
    for (const [user, input] of attempts) {
      const error = await thrown(withUser(handle.db, user, (tx) => postMessage(tx, input)));
      expect(error, `${user}: ${input.content}`).toBeInstanceOf(WriteNotPermittedError);
      expect((error as Error).message).toContain('row-level security policy');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('blank content and a bad conversation id are input errors, with the fields named', async () => {
    const error = await thrown(postMessage(handle.db, { conversationId: 'x', content: ' \n ' }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).fields.sort()).toEqual(['content', 'conversationId']);
  });

  it('the owning service posts the AI’s message with its model', async () => {
    const { conversation } = await startLease();
    const message = await postMessage(handle.db, {
      conversationId: conversation.id,
      authorType: 'ai',
      content: 'here is a plan',
      model: 'model-x',
    });
    expect(message).toMatchObject({ authorId: null, authorType: 'ai', model: 'model-x' });
  });
});

describe('markRead', () => {
  it('marks up to the newest message, never backwards, and the unread count follows', async () => {
    const { conversation } = await startLease();
    const first = await postMessage(handle.db, {
      conversationId: conversation.id,
      authorType: 'ai',
      content: '1',
    });
    const second = await postMessage(handle.db, {
      conversationId: conversation.id,
      authorType: 'ai',
      content: '2',
    });
    const unread = async () =>
      (await listUserConversations(handle.db, { userId: 'bob', limit: 100 })).find(
        (c) => c.id === conversation.id,
      )?.unreadCount;
    expect(await unread()).toBe(2);

    const marked = await withUser(handle.db, 'bob', (tx) =>
      markRead(tx, { conversationId: conversation.id, userId: 'bob' }),
    );
    expect(marked.lastReadAt).toEqual(second.createdAt);
    expect(await unread()).toBe(0);

    // A stale client marking an older point does not make messages unread again.
    const stale = await withUser(handle.db, 'bob', (tx) =>
      markRead(tx, { conversationId: conversation.id, userId: 'bob', readUpTo: first.createdAt }),
    );
    expect(stale.lastReadAt).toEqual(second.createdAt);

    await postMessage(handle.db, { conversationId: conversation.id, authorType: 'ai', content: '3' });
    expect(await unread()).toBe(1);
  });

  it('a user cannot mark another user’s row, and a non-participant is not found; nothing changes', async () => {
    const { conversation } = await startLease();
    await postMessage(handle.db, { conversationId: conversation.id, authorType: 'ai', content: 'hi' });
    const before = await snapshot();
    const other = await thrown(
      withUser(handle.db, 'bob', (tx) => markRead(tx, { conversationId: conversation.id, userId: 'alice' })),
    );
    expect(other).toBeInstanceOf(WriteTargetNotFoundError);
    const stranger = await thrown(
      withUser(handle.db, 'dave', (tx) => markRead(tx, { conversationId: conversation.id, userId: 'dave' })),
    );
    expect(stranger).toBeInstanceOf(WriteTargetNotFoundError);
    expect((stranger as Error).message).toContain('dave is not a participant');
    expect(await snapshot()).toEqual(before);
  });

  it('a readUpTo in the future counts as the transaction’s time: later messages are still unread', async () => {
    const { conversation } = await startLease();
    const marked = await withUser(handle.db, 'bob', (tx) =>
      markRead(tx, { conversationId: conversation.id, userId: 'bob', readUpTo: '2999-01-01T00:00:00Z' }),
    );
    const [clock] = await queryRows<{ now: string }>(handle.db, sql`select now() as now`);
    expect(marked.lastReadAt?.getTime()).toBeLessThanOrEqual(new Date(clock?.now ?? 0).getTime());
    await postMessage(handle.db, { conversationId: conversation.id, authorType: 'ai', content: 'later' });
    const [row] = (await listUserConversations(handle.db, { userId: 'bob', limit: 100 })).filter(
      (c) => c.id === conversation.id,
    );
    expect(row?.unreadCount).toBe(1);
  });

  it('a bad readUpTo is an input error', async () => {
    const error = await thrown(
      markRead(handle.db, {
        conversationId: '00000000-0000-4000-8000-000000000001',
        userId: 'bob',
        readUpTo: 'yesterday',
      }),
    );
    expect((error as InvalidInputError).fields).toEqual(['readUpTo']);
  });
});

describe('archiveConversation', () => {
  it('the owning service archives; the app role may not; an unknown id is not found', async () => {
    const { conversation } = await startLease();
    const denied = await thrown(
      withUser(handle.db, 'alice', (tx) => archiveConversation(tx, { conversationId: conversation.id })),
    );
    expect(denied).toBeInstanceOf(WriteNotPermittedError);
    const archived = await archiveConversation(handle.db, { conversationId: conversation.id });
    expect(archived.status).toBe('archived');
    expect(archived.updatedAt.getTime()).toBeGreaterThan(conversation.updatedAt.getTime());
    const missing = await thrown(
      archiveConversation(handle.db, { conversationId: '00000000-0000-4000-8000-000000000002' }),
    );
    expect(missing).toBeInstanceOf(WriteTargetNotFoundError);
  });
});

describe('inside the caller’s withUser transaction', () => {
  it('post and mark read in one transaction: a failure later in it undoes both', async () => {
    const { conversation } = await startLease();
    const before = await snapshot();
    const error = await thrown(
      withUser(handle.db, 'bob', async (tx) => {
        await postMessage(tx, { conversationId: conversation.id, authorId: 'bob', content: 'draft' });
        await markRead(tx, { conversationId: conversation.id, userId: 'bob' });
        throw new Error('the request failed after the writes');
      }),
    );
    expect((error as Error).message).toBe('the request failed after the writes');
    expect(await snapshot()).toEqual(before);
    const [role] = await queryRows<{ role: string }>(handle.db, sql`select current_user as role`);
    expect(role?.role).not.toBe('conversations_app');
  });
});
