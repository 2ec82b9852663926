/**
 * The shape of `messages.metadata`. The named keys are the ones seed 000 specifies; any other key
 * is allowed and kept, because legacy chat metadata carries keys of its own that must survive.
 */
export interface MessageMetadata {
  isEmail?: boolean;
  emailFrom?: string;
  emailTo?: string[];
  emailSubject?: string;
  /** User ids mentioned with @. */
  mentioned?: string[];
  [key: string]: unknown;
}
