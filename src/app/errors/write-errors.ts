import type { ZodError } from 'zod';

/**
 * A write helper's input did not pass its zod schema. Nothing was written. `fields` names every field
 * that was wrong (dotted paths, `participants.1.userId`), `issues` carries zod's issues for an API
 * response, and the message lists each problem.
 */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
  readonly fields: string[];
  readonly issues: ZodError['issues'];

  constructor(what: string, error: ZodError) {
    const lines = error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    super(`${what}: ${lines.join('; ')}. Nothing was written; correct the input and try again.`, {
      cause: error,
    });
    // An issue of the whole input (not an object) has no path: it is named `(input)`.
    this.fields = [...new Set(error.issues.map((issue) => issue.path.map(String).join('.') || '(input)'))];
    this.issues = error.issues;
  }
}

/**
 * The database refused the write to the role it ran as (SQLSTATE 42501: no grant, or a row-level
 * security policy). Nothing was written. Under `withUser` the app role may only post as the current
 * user where that user is not an observer, and mark that user's own participation read; starting a
 * conversation, adding participants, archiving and posting as the AI or the system belong to the
 * owning service's connection.
 */
export class WriteNotPermittedError extends Error {
  override name = 'WriteNotPermittedError';
  readonly code = '42501';
}

/** The row a write helper should change does not exist, or the current user may not see it. */
export class WriteTargetNotFoundError extends Error {
  override name = 'WriteTargetNotFoundError';
}
