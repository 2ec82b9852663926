/**
 * The shape of `messages.metadata`. The named keys are the ones seed 000 specifies; any other key
 * is allowed and kept, because legacy chat metadata carries keys of its own that must survive.
 * `| undefined` on each optional key: zod's parsed output writes absent keys that way, and apps
 * compiled with `exactOptionalPropertyTypes` must be able to insert what the zod schemas return.
 */
export interface MessageMetadata {
  isEmail?: boolean | undefined;
  emailFrom?: string | undefined;
  emailTo?: string[] | undefined;
  emailSubject?: string | undefined;
  /** User ids mentioned with @. */
  mentioned?: string[] | undefined;
  [key: string]: unknown;
}

/**
 * The named keys of `messages.metadata` and the JSON type each holds (`string[]`: an array of
 * strings): the one list the zod schemas (checked against it by type), the move's plan and this
 * interface agree on.
 */
export const messageMetadataKeys = {
  isEmail: 'boolean',
  emailFrom: 'string',
  emailTo: 'string[]',
  emailSubject: 'string',
  mentioned: 'string[]',
} as const satisfies Record<string, 'boolean' | 'string' | 'string[]'>;

export type MessageMetadataKey = keyof typeof messageMetadataKeys;
