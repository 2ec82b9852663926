import { z } from 'zod';
import type { MessageMetadata, MessageMetadataKey } from '../schema/message-metadata.js';
import { emailField, userIdField } from './fields.js';

/**
 * messages.metadata as apps write it: every named key optional and checked, any other key kept
 * (legacy metadata carries keys of its own that must survive a round trip).
 */
export const messageMetadataSchema = z.looseObject({
  // Exactly the keys of messageMetadataKeys (satisfies below): one list of named keys.
  isEmail: z.boolean({ error: 'isEmail must be true or false' }).optional(),
  emailFrom: emailField('emailFrom').optional(),
  emailTo: z
    .array(z.email({ error: 'emailTo must hold only email addresses' }), {
      error: 'emailTo must be an array of email addresses',
    })
    .optional(),
  emailSubject: z.string({ error: 'emailSubject must be a string' }).optional(),
  mentioned: z
    .array(userIdField('mentioned'), { error: 'mentioned must be an array of user ids' })
    .optional(),
} satisfies Record<MessageMetadataKey, z.ZodType>) satisfies z.ZodType<MessageMetadata>;

/**
 * messages.metadata as the database may hold it: the same keys and types, without the format checks,
 * because rows moved from the legacy tables were never validated (an emailFrom such as
 * "Ann <ann@example.com>" must still read back).
 */
export const storedMessageMetadataSchema = z.looseObject({
  isEmail: z.boolean().optional(),
  emailFrom: z.string().optional(),
  emailTo: z.array(z.string()).optional(),
  emailSubject: z.string().optional(),
  mentioned: z.array(z.string()).optional(),
} satisfies Record<MessageMetadataKey, z.ZodType>) satisfies z.ZodType<MessageMetadata>;
