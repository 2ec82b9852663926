import { createInsertSchema, createSelectSchema, createUpdateSchema } from 'drizzle-zod';
import { participantRoleValues, participantTypeValues } from '../schema/enums.js';
import { conversationParticipants } from '../schema/participants.js';
import { enumField, timestampField, userIdField, uuidField } from './fields.js';

const serverManaged = { id: true, joinedAt: true } as const;

/** The participant types that stand for a person, and so need a user (the table's CHECK says the same). */
const humanParticipantTypes: readonly string[] = ['employee', 'admin', 'vendor'];

const inputRules = {
  conversationId: () => uuidField('conversationId'),
  userId: () => userIdField('userId'),
  participantType: () => enumField('participantType', participantTypeValues),
  role: () => enumField('role', participantRoleValues),
  lastReadAt: () => timestampField('lastReadAt'),
};

/** A conversation_participants row as read from the database. */
export const conversationParticipantSelectSchema = createSelectSchema(conversationParticipants);

/**
 * A new participant. Checks before the database does that an employee, admin or vendor names a
 * user (only the AI and system participants may lack one).
 */
export const conversationParticipantInsertSchema = createInsertSchema(conversationParticipants, inputRules)
  .omit(serverManaged)
  .superRefine((participant, context) => {
    if (humanParticipantTypes.includes(participant.participantType) && !participant.userId) {
      context.addIssue({
        code: 'custom',
        path: ['userId'],
        input: participant.userId,
        message: `userId is required for a participant of type ${participant.participantType} (only ai and system participants may have none)`,
      });
    }
  });

/** A change to a participant (typically lastReadAt or role): every field optional. */
export const conversationParticipantUpdateSchema = createUpdateSchema(
  conversationParticipants,
  inputRules,
).omit(serverManaged);
