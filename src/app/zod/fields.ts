import { z } from 'zod';

// Field schemas with messages that name the field and say what is wrong, so an API can hand
// z.prettifyError(error) (or issue.message) straight to its caller: "title must be at most 200
// characters", not "Too big: expected string to have <=200 characters".

/** The longest conversation title the insert and update schemas accept (after trimming). */
export const conversationTitleMaxLength = 200;

/** Says "<field> is required" when the value is missing, else "<field> <problem>". */
function requiredOr(field: string, problem: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? `${field} is required` : `${field} ${problem}`;
}

export function uuidField(field: string) {
  return z.uuid({ error: requiredOr(field, 'must be a UUID') });
}

/** users.id is text owned by the host app (not a UUID), so any non-blank string is accepted. */
export function userIdField(field: string) {
  return z
    .string({ error: requiredOr(field, 'must be a user id (a string)') })
    .trim()
    .min(1, { error: `${field} must not be blank` });
}

export function enumField<const T extends readonly [string, ...string[]]>(field: string, values: T) {
  return z.enum(values, { error: requiredOr(field, `must be one of: ${values.join(', ')}`) });
}

export function emailField(field: string) {
  return z.email({ error: requiredOr(field, 'must be an email address') });
}

/** Text that must carry something besides whitespace; the value itself is kept as given. */
export function nonBlankText(field: string) {
  return z
    .string({ error: requiredOr(field, 'must be a string') })
    .refine((value) => value.trim().length > 0, { error: `${field} must not be blank` });
}

/** A title: trimmed, not blank, at most conversationTitleMaxLength characters. */
export function titleField(field: string) {
  return z
    .string({ error: requiredOr(field, 'must be a string') })
    .trim()
    .min(1, { error: `${field} must not be blank` })
    .max(conversationTitleMaxLength, {
      error: `${field} must be at most ${conversationTitleMaxLength} characters`,
    });
}

/** A Date, or a string/number a Date can be made of (JSON bodies carry ISO 8601 strings). */
export function timestampField(field: string) {
  return z.coerce.date({ error: requiredOr(field, 'must be a date (an ISO 8601 timestamp)') });
}
