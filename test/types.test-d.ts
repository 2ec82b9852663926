import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  type AuthorType,
  archiveConversation,
  type authorTypeValues,
  type Conversation,
  type ConversationParticipant,
  type ConversationStatus,
  type ConversationsDatabase,
  type ConversationsSchema,
  type ConversationType,
  type conversationStatusValues,
  conversationTypeValues,
  type Message,
  type MessageMetadata,
  markRead,
  type NewConversation,
  type NewConversationParticipant,
  type NewMessage,
  type ParticipantRole,
  type ParticipantType,
  type PostMessageInput,
  type participantRoleValues,
  type participantTypeValues,
  postMessage,
  type StartConversationInput,
  type withUser,
  type withUserStatement,
} from '../src/app/index.js';
import type {
  conversationInsertSchema,
  conversationParticipantInsertSchema,
  conversationUpdateSchema,
  messageInsertSchema,
  messageMetadataSchema,
  messageSelectSchema,
} from '../src/app/zod/index.js';

// Pins the types app code compiles against; `vitest` type-checks this file (it never runs it).

describe('New* types take what an app supplies and nothing the database sets', () => {
  it('NewMessage needs conversationId and content and takes no id or createdAt', () => {
    expectTypeOf<NewMessage>().toHaveProperty('conversationId').toEqualTypeOf<string>();
    expectTypeOf<NewMessage>().toHaveProperty('content').toEqualTypeOf<string>();
    expectTypeOf<NewMessage>().not.toHaveProperty('id');
    expectTypeOf<NewMessage>().not.toHaveProperty('createdAt');
    expectTypeOf<{ conversationId: string; content: string }>().toExtend<NewMessage>();
    expectTypeOf<{ conversationId: string }>().not.toExtend<NewMessage>();
    expectTypeOf<{ content: string }>().not.toExtend<NewMessage>();
    expectTypeOf<NewMessage['metadata']>().toEqualTypeOf<MessageMetadata | null | undefined>();
  });

  it('NewConversation needs a moveId; title, type and status are optional', () => {
    expectTypeOf<{ moveId: string }>().toExtend<NewConversation>();
    expectTypeOf<{ title: string }>().not.toExtend<NewConversation>();
    expectTypeOf<NewConversation>().not.toHaveProperty('id');
    expectTypeOf<NewConversation>().not.toHaveProperty('createdAt');
    expectTypeOf<NewConversation>().not.toHaveProperty('updatedAt');
    expectTypeOf<NewConversation['type']>().toEqualTypeOf<ConversationType | null | undefined>();
  });

  it('NewConversationParticipant needs conversationId and participantType, takes no joinedAt', () => {
    expectTypeOf<{ conversationId: string; participantType: 'ai' }>().toExtend<NewConversationParticipant>();
    expectTypeOf<{ conversationId: string }>().not.toExtend<NewConversationParticipant>();
    expectTypeOf<NewConversationParticipant>().not.toHaveProperty('joinedAt');
    expectTypeOf<NewConversationParticipant>().not.toHaveProperty('id');
  });
});

describe('row types', () => {
  it('carry every column with the enum unions', () => {
    expectTypeOf<Conversation['status']>().toEqualTypeOf<ConversationStatus | null>();
    expectTypeOf<Conversation['createdAt']>().toEqualTypeOf<Date>();
    expectTypeOf<ConversationParticipant['participantType']>().toEqualTypeOf<ParticipantType>();
    expectTypeOf<ConversationParticipant['role']>().toEqualTypeOf<ParticipantRole | null>();
    expectTypeOf<Message['authorType']>().toEqualTypeOf<AuthorType>();
    expectTypeOf<Message['id']>().toEqualTypeOf<string>();
  });
});

describe('enum unions and value tuples agree', () => {
  it('each tuple lists exactly the members of its union, in a readonly tuple', () => {
    expectTypeOf(conversationTypeValues).toEqualTypeOf<
      readonly ['housing', 'moving', 'services', 'budget', 'general', 'vendor', 'internal']
    >();
    expectTypeOf<(typeof conversationStatusValues)[number]>().toEqualTypeOf<ConversationStatus>();
    expectTypeOf<(typeof participantTypeValues)[number]>().toEqualTypeOf<ParticipantType>();
    expectTypeOf<(typeof participantRoleValues)[number]>().toEqualTypeOf<ParticipantRole>();
    expectTypeOf<(typeof authorTypeValues)[number]>().toEqualTypeOf<AuthorType>();
  });
});

describe('zod schemas agree with the types', () => {
  it('a parsed insert body can go straight into db.insert(...).values(...)', () => {
    expectTypeOf<z.output<typeof messageInsertSchema>>().toExtend<NewMessage>();
    expectTypeOf<z.output<typeof conversationInsertSchema>>().toExtend<NewConversation>();
    expectTypeOf<
      z.output<typeof conversationParticipantInsertSchema>
    >().toExtend<NewConversationParticipant>();
    expectTypeOf<z.output<typeof messageInsertSchema>>().not.toHaveProperty('id');
    expectTypeOf<z.output<typeof conversationUpdateSchema>>().not.toHaveProperty('updatedAt');
  });

  it('messageMetadataSchema yields MessageMetadata, unknown keys included', () => {
    expectTypeOf<z.output<typeof messageMetadataSchema>>().toExtend<MessageMetadata>();
    expectTypeOf<MessageMetadata>().toExtend<z.output<typeof messageMetadataSchema>>();
    expectTypeOf<z.output<typeof messageSelectSchema>>().toExtend<Message>();
  });
});

describe('ConversationsDatabase', () => {
  it('offers relational queries over the package tables', () => {
    type FindMany = ConversationsDatabase['query']['conversations']['findMany'];
    expectTypeOf<FindMany>().toBeFunction();
    expectTypeOf<ConversationsDatabase['query']>().not.toHaveProperty('chatSessions');
  });
});

describe('the write helpers take New* values and any drizzle database or transaction', () => {
  it('startConversation takes no lastMessageAt or messageCount (the triggers keep them) and participants without a conversationId', () => {
    expectTypeOf<NewConversation>().not.toHaveProperty('lastMessageAt');
    expectTypeOf<NewConversation>().not.toHaveProperty('messageCount');
    expectTypeOf<StartConversationInput['participants'][number]>().not.toHaveProperty('conversationId');
    expectTypeOf<StartConversationInput['conversation']>().toEqualTypeOf<NewConversation>();
  });

  it('postMessage takes a NewMessage and returns a Message; a withUser transaction is a database to them', () => {
    expectTypeOf<PostMessageInput>().toEqualTypeOf<NewMessage>();
    expectTypeOf(postMessage).returns.resolves.toEqualTypeOf<Message>();
    expectTypeOf<Parameters<Parameters<typeof withUser<ConversationsSchema, void>>[2]>[0]>().toExtend<
      Parameters<typeof postMessage>[0]
    >();
    // withUserStatement's callback gets the same transaction, and the call resolves to what it returns.
    expectTypeOf<
      Parameters<Parameters<typeof withUserStatement<ConversationsSchema, Message>>[2]>[0]
    >().toEqualTypeOf<Parameters<Parameters<typeof withUser<ConversationsSchema, Message>>[2]>[0]>();
    expectTypeOf<ReturnType<typeof withUserStatement<ConversationsSchema, Message>>>().toEqualTypeOf<
      Promise<Message>
    >();
    expectTypeOf(markRead).returns.resolves.toEqualTypeOf<ConversationParticipant>();
    expectTypeOf(archiveConversation).returns.resolves.toEqualTypeOf<Conversation>();
  });
});
