import { type PostgresError, postgresErrorOf } from '../../src/app/errors/index.js';

/** The error PostgreSQL raised for a statement, whichever driver wrapped it (drizzle wraps both). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Partial<PostgresError> & { message: string }> {
  try {
    await promise;
  } catch (error) {
    return postgresErrorOf(error) ?? { message: error instanceof Error ? error.message : String(error) };
  }
  throw new Error('expected the statement to be rejected');
}
