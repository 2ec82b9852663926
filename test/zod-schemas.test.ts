import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  archivedChatSessionInsertSchema,
  archivedChatSessionUpdateSchema,
  conversationInsertSchema,
  conversationParticipantInsertSchema,
  conversationParticipantUpdateSchema,
  conversationSelectSchema,
  conversationStatusSchema,
  conversationTitleMaxLength,
  conversationUpdateSchema,
  messageInsertSchema,
  messageMetadataSchema,
  messageSelectSchema,
  messageUpdateSchema,
} from '../src/app/zod/index.js';

// The zod schemas of `./zod`, judged by what an API would show its caller: z.prettifyError's text.

const moveId = randomUUID();
const conversationId = randomUUID();

/** The readable error of a rejected input (fails the test when the input is accepted). */
function problems(schema: z.ZodType, input: unknown): string {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected a rejection, got ${JSON.stringify(result.data)}`);
  return z.prettifyError(result.error);
}

describe('conversation schemas', () => {
  it('accepts a new conversation with only a moveId, trims the title, drops server-managed keys', () => {
    const parsed = conversationInsertSchema.parse({
      moveId,
      title: '  Lease questions  ',
      id: randomUUID(),
      createdAt: new Date(),
      updatedAt: new Date(),
      lastMessageAt: new Date(),
      messageCount: 7,
    });
    expect(parsed).toEqual({ moveId, title: 'Lease questions' });
    expect(conversationInsertSchema.parse({ moveId })).toEqual({ moveId });
  });

  it('names each bad field and its problem', () => {
    expect(problems(conversationInsertSchema, { title: 'x' })).toBe('✖ moveId is required\n  → at moveId');
    expect(
      problems(conversationInsertSchema, {
        moveId: 'move-1',
        title: '   ',
        type: 'party',
        status: 'open',
        agentMailEmailAddress: 'inbox@',
      }),
    ).toBe(
      [
        '✖ moveId must be a UUID\n  → at moveId',
        '✖ title must not be blank\n  → at title',
        '✖ type must be one of: housing, moving, services, budget, general, vendor, internal\n  → at type',
        '✖ status must be one of: active, archived, closed\n  → at status',
        '✖ agentMailEmailAddress must be an email address\n  → at agentMailEmailAddress',
      ].join('\n'),
    );
  });

  it(`limits titles to ${conversationTitleMaxLength} characters after trimming`, () => {
    const longest = 'a'.repeat(conversationTitleMaxLength);
    expect(conversationInsertSchema.parse({ moveId, title: ` ${longest} ` }).title).toBe(longest);
    expect(problems(conversationInsertSchema, { moveId, title: `${longest}a` })).toBe(
      '✖ title must be at most 200 characters\n  → at title',
    );
  });

  it('update: every field optional, server-managed ones dropped, rules still applied', () => {
    expect(conversationUpdateSchema.parse({})).toEqual({});
    expect(conversationUpdateSchema.parse({ status: 'closed', updatedAt: new Date(), id: 'x' })).toEqual({
      status: 'closed',
    });
    expect(conversationUpdateSchema.parse({ createdBy: null })).toEqual({ createdBy: null });
    expect(problems(conversationUpdateSchema, { title: '' })).toBe('✖ title must not be blank\n  → at title');
  });

  it('select: describes a full row, server-managed columns included', () => {
    const row = {
      id: randomUUID(),
      moveId,
      title: 'Lease',
      type: 'housing',
      status: null,
      createdBy: null,
      agentMailInboxId: null,
      agentMailEmailAddress: null,
      createdAt: new Date(),
      updatedAt: new Date(),
      lastMessageAt: null,
      messageCount: 0,
    };
    expect(conversationSelectSchema.parse(row)).toEqual(row);
    expect(problems(conversationSelectSchema, { ...row, id: undefined })).toContain('→ at id');
  });
});

describe('participant schemas', () => {
  it('accepts an AI participant without a user and an employee with one', () => {
    expect(conversationParticipantInsertSchema.parse({ conversationId, participantType: 'ai' })).toEqual({
      conversationId,
      participantType: 'ai',
    });
    expect(
      conversationParticipantInsertSchema.parse({
        conversationId,
        participantType: 'employee',
        userId: 'user-1',
        role: 'owner',
        joinedAt: new Date(),
      }),
    ).toEqual({ conversationId, participantType: 'employee', userId: 'user-1', role: 'owner' });
  });

  it('says that a human participant needs a user, as the table CHECK will', () => {
    expect(problems(conversationParticipantInsertSchema, { conversationId, participantType: 'vendor' })).toBe(
      '✖ userId is required for a participant of type vendor (only ai and system participants may have none)\n  → at userId',
    );
  });

  it('names a bad participant type and role', () => {
    expect(
      problems(conversationParticipantInsertSchema, {
        conversationId,
        participantType: 'robot',
        role: 'boss',
      }),
    ).toBe(
      [
        '✖ participantType must be one of: employee, admin, vendor, ai, system\n  → at participantType',
        '✖ role must be one of: owner, participant, observer\n  → at role',
      ].join('\n'),
    );
  });

  it('update: lastReadAt takes a Date or an ISO timestamp, and nothing else', () => {
    expect(conversationParticipantUpdateSchema.parse({ lastReadAt: '2026-03-01T10:00:00Z' })).toEqual({
      lastReadAt: new Date('2026-03-01T10:00:00Z'),
    });
    expect(problems(conversationParticipantUpdateSchema, { lastReadAt: 'yesterday' })).toBe(
      '✖ lastReadAt must be a date (an ISO 8601 timestamp)\n  → at lastReadAt',
    );
  });
});

describe('message schemas', () => {
  it('needs conversationId and content; drops id and createdAt', () => {
    expect(messageInsertSchema.parse({ conversationId, content: 'Hi', id: randomUUID() })).toEqual({
      conversationId,
      content: 'Hi',
    });
    expect(problems(messageInsertSchema, {})).toBe(
      '✖ conversationId is required\n  → at conversationId\n✖ content is required\n  → at content',
    );
  });

  it('rejects blank content but keeps the content as written', () => {
    expect(problems(messageInsertSchema, { conversationId, content: ' \n\t ' })).toBe(
      '✖ content must not be blank\n  → at content',
    );
    expect(messageInsertSchema.parse({ conversationId, content: '  indented\n' }).content).toBe(
      '  indented\n',
    );
  });

  it('names a bad author type and a bad conversation id', () => {
    expect(
      problems(messageInsertSchema, { conversationId: 42, content: 'Hi', authorType: 'assistant' }),
    ).toBe(
      [
        '✖ conversationId must be a UUID\n  → at conversationId',
        '✖ authorType must be one of: user, ai, system\n  → at authorType',
      ].join('\n'),
    );
  });

  it('checks metadata inside a message, with the path to the bad key', () => {
    expect(
      problems(messageInsertSchema, {
        conversationId,
        content: 'Hi',
        metadata: { isEmail: 'yes', emailTo: ['ann@example.com', 'bob'] },
      }),
    ).toBe(
      [
        '✖ isEmail must be true or false\n  → at metadata.isEmail',
        '✖ emailTo must hold only email addresses\n  → at metadata.emailTo[1]',
      ].join('\n'),
    );
  });

  it('update: content may change, but not to blank', () => {
    expect(messageUpdateSchema.parse({ content: 'Edited' })).toEqual({ content: 'Edited' });
    expect(problems(messageUpdateSchema, { content: '' })).toBe(
      '✖ content must not be blank\n  → at content',
    );
  });

  it('select: reads legacy metadata whose keys were never format-checked', () => {
    const row = {
      id: randomUUID(),
      conversationId,
      authorId: null,
      authorType: 'user',
      content: 'Forwarded mail',
      toolCalls: null,
      reasoning: null,
      model: null,
      metadata: { isEmail: true, emailFrom: 'Ann <ann@example.com>', legacyRole: 'user' },
      createdAt: new Date(),
    };
    expect(messageSelectSchema.parse(row)).toEqual(row);
  });
});

describe('messageMetadataSchema', () => {
  it('accepts every named key, all optional, and keeps unknown keys', () => {
    const metadata = {
      isEmail: true,
      emailFrom: 'ann@example.com',
      emailTo: ['bob@example.com', 'cy@example.com'],
      emailSubject: 'Lease',
      mentioned: ['user-1', 'user-2'],
      legacyRole: 'assistant',
      toolRun: { id: 7 },
    };
    expect(messageMetadataSchema.parse(metadata)).toEqual(metadata);
    expect(messageMetadataSchema.parse({})).toEqual({});
  });

  it('names each bad key', () => {
    expect(
      problems(messageMetadataSchema, { emailFrom: 'ann', emailTo: 'bob@example.com', mentioned: [''] }),
    ).toBe(
      [
        '✖ emailFrom must be an email address\n  → at emailFrom',
        '✖ emailTo must be an array of email addresses\n  → at emailTo',
        '✖ mentioned must not be blank\n  → at mentioned[0]',
      ].join('\n'),
    );
  });
});

describe('archive and enum schemas', () => {
  it('an archive entry needs the legacy session id, the session and a reason', () => {
    const sessionId = randomUUID();
    expect(
      archivedChatSessionInsertSchema.parse({ sessionId, session: { id: sessionId }, reason: 'no move' }),
    ).toEqual({ sessionId, session: { id: sessionId }, reason: 'no move' });
    expect(problems(archivedChatSessionInsertSchema, { sessionId: 'x', session: 'row', reason: ' ' })).toBe(
      [
        '✖ sessionId must be a UUID\n  → at sessionId',
        '✖ session must be an object (the legacy row)\n  → at session',
        '✖ reason must not be blank\n  → at reason',
      ].join('\n'),
    );
    expect(archivedChatSessionUpdateSchema.parse({ sessionId, reason: 'moved by hand' })).toEqual({
      reason: 'moved by hand',
    });
  });

  it('enum schemas list the allowed values', () => {
    expect(conversationStatusSchema.parse('archived')).toBe('archived');
    expect(problems(conversationStatusSchema, 'done')).toBe(
      '✖ conversation status must be one of: active, archived, closed',
    );
  });
});
