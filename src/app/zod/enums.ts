import {
  authorTypeValues,
  conversationStatusValues,
  conversationTypeValues,
  participantRoleValues,
  participantTypeValues,
} from '../schema/enums.js';
import { enumField } from './fields.js';

// One schema per database enum, for query parameters and form fields outside a whole row.

export const conversationTypeSchema = enumField('conversation type', conversationTypeValues);
export const conversationStatusSchema = enumField('conversation status', conversationStatusValues);
export const participantTypeSchema = enumField('participant type', participantTypeValues);
export const participantRoleSchema = enumField('participant role', participantRoleValues);
export const authorTypeSchema = enumField('author type', authorTypeValues);
