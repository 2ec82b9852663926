import { pgEnum } from 'drizzle-orm/pg-core';

// The five enums of seed 000 Step 1, labels in the seed's order: PostgreSQL sorts enum values by
// declaration order, so reordering them later would change ORDER BY results in the apps.

export const conversationTypeValues = [
  'housing',
  'moving',
  'services',
  'budget',
  'general',
  'vendor',
  'internal',
] as const;
export const conversationStatusValues = ['active', 'archived', 'closed'] as const;
export const participantTypeValues = ['employee', 'admin', 'vendor', 'ai', 'system'] as const;
export const participantRoleValues = ['owner', 'participant', 'observer'] as const;
export const authorTypeValues = ['user', 'ai', 'system'] as const;

export const conversationType = pgEnum('conversation_type', conversationTypeValues);
export const conversationStatus = pgEnum('conversation_status', conversationStatusValues);
export const participantType = pgEnum('participant_type', participantTypeValues);
export const participantRole = pgEnum('participant_role', participantRoleValues);
export const authorType = pgEnum('author_type', authorTypeValues);

export type ConversationType = (typeof conversationTypeValues)[number];
export type ConversationStatus = (typeof conversationStatusValues)[number];
export type ParticipantType = (typeof participantTypeValues)[number];
export type ParticipantRole = (typeof participantRoleValues)[number];
export type AuthorType = (typeof authorTypeValues)[number];
