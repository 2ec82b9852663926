import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as main from '../src/app/index.js';
import * as migrations from '../src/app/migrations.js';
import * as testing from '../src/app/testing/index.js';
import * as zod from '../src/app/zod/index.js';
import { repoRoot } from './support/run.js';

// The runtime exports of each entry point, name by name: adding or removing one is an API change and
// must show up here (and in the README's list). The consumer check runs the same entries as built.

describe('public API', () => {
  it('`.` exports the tables, enums, relations and conversationsSchema, and no legacy table', () => {
    expect(Object.keys(main).sort()).toEqual([
      'InvalidInputError',
      'WithUserStatementError',
      'WriteNotPermittedError',
      'WriteTargetNotFoundError',
      'archiveConversation',
      'authorType',
      'authorTypeValues',
      'chatSessionArchive',
      'conversationMessagesQuery',
      'conversationParticipants',
      'conversationParticipantsRelations',
      'conversationStatus',
      'conversationStatusValues',
      'conversationType',
      'conversationTypeValues',
      'conversations',
      'conversationsRelations',
      'conversationsSchema',
      'employees',
      'employeesRelations',
      'explainQuery',
      'listConversationMessages',
      'listMoveConversations',
      'listUserConversations',
      'markRead',
      'messages',
      'messagesRelations',
      'moveConversationsQuery',
      'moves',
      'movesRelations',
      'participantRole',
      'participantRoleValues',
      'participantType',
      'participantTypeValues',
      'postMessage',
      'startConversation',
      'userConversationsQuery',
      'users',
      'usersRelations',
      'withUser',
      'withUserStatement',
    ]);
    expect(Object.keys(main.conversationsSchema)).not.toContain('chatSessions');
  });

  it('`./zod` exports select/insert/update schemas per table, the enum schemas and the metadata schema', () => {
    expect(Object.keys(zod).sort()).toEqual([
      'archivedChatSessionInsertSchema',
      'archivedChatSessionSelectSchema',
      'archivedChatSessionUpdateSchema',
      'authorTypeSchema',
      'conversationInsertSchema',
      'conversationParticipantInsertSchema',
      'conversationParticipantSelectSchema',
      'conversationParticipantUpdateSchema',
      'conversationSelectSchema',
      'conversationStatusSchema',
      'conversationTitleMaxLength',
      'conversationTypeSchema',
      'conversationUpdateSchema',
      'messageInsertSchema',
      'messageMetadataSchema',
      'messageSelectSchema',
      'messageUpdateSchema',
      'participantRoleSchema',
      'participantTypeSchema',
    ]);
  });

  it('`./migrations` gives the absolute path of the drizzle/ folder, journal included', () => {
    expect(Object.keys(migrations)).toEqual(['migrationsFolder']);
    expect(migrations.migrationsFolder).toBe(join(repoRoot, 'drizzle'));
    expect(existsSync(join(migrations.migrationsFolder, 'meta/_journal.json'))).toBe(true);
  });

  it('`./testing` exports the test kit, the database helpers under it, the factories and the PRNG', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'Random',
      'copyPgliteDataDir',
      'createConversation',
      'createEmployee',
      'createMessage',
      'createMove',
      'createParticipant',
      'createPgliteSnapshot',
      'createServerDatabase',
      'createServerTemplate',
      'createTestKit',
      'createUser',
      'dropServerDatabase',
      'migrateOnPglite',
      'migrateOnServer',
      'openPglite',
      'openServerDatabase',
      'preparePgliteDataDir',
      'uniqueDatabaseName',
    ]);
  });
});
