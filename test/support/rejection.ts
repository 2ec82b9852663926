/** The error PostgreSQL raised for a statement, whichever driver wrapped it (drizzle wraps both). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<{ code?: string; message: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as {
      code?: string;
      message: string;
      cause?: { code?: string; message: string; hint?: string };
    };
    return e.cause?.code ? e.cause : e;
  }
  throw new Error('expected the statement to be rejected');
}
