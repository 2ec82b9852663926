import { conversations } from './conversations.js';
import { employees, moves, users } from './core.js';
import { relations } from './drizzle-relations.js';
import { messages } from './messages.js';
import { conversationParticipants } from './participants.js';

// Relations only teach drizzle's relational queries (db.query.*) how tables join; they emit no SQL,
// so adding one never needs a migration. Each `one` side names the foreign key it follows; each
// `many` side is matched to it by table, which is unambiguous because every pair of tables here is
// joined by exactly one foreign key. The orphan archive has no
// foreign keys, hence no relations.

export const conversationsRelations = relations(conversations, ({ one, many }) => ({
  move: one(moves, { fields: [conversations.moveId], references: [moves.id] }),
  creator: one(users, { fields: [conversations.createdBy], references: [users.id] }),
  participants: many(conversationParticipants),
  messages: many(messages),
}));

export const conversationParticipantsRelations = relations(conversationParticipants, ({ one }) => ({
  conversation: one(conversations, {
    fields: [conversationParticipants.conversationId],
    references: [conversations.id],
  }),
  user: one(users, { fields: [conversationParticipants.userId], references: [users.id] }),
}));

export const messagesRelations = relations(messages, ({ one }) => ({
  conversation: one(conversations, { fields: [messages.conversationId], references: [conversations.id] }),
  author: one(users, { fields: [messages.authorId], references: [users.id] }),
}));

export const movesRelations = relations(moves, ({ one, many }) => ({
  employee: one(employees, { fields: [moves.employeeId], references: [employees.id] }),
  conversations: many(conversations),
}));

export const employeesRelations = relations(employees, ({ many }) => ({
  moves: many(moves),
}));

export const usersRelations = relations(users, ({ many }) => ({
  participations: many(conversationParticipants),
  messages: many(messages),
  createdConversations: many(conversations),
}));
