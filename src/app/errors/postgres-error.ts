/** What PostgreSQL (or the driver's socket) said, without drizzle's "Failed query: <SQL>" wrapper. */
export interface PostgresError {
  /** SQLSTATE (e.g. 23505), or the driver's socket code (ECONNRESET, CONNECTION_CLOSED). */
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/**
 * The PostgreSQL or socket error behind `error`: drizzle wraps driver errors in DrizzleQueryError
 * (the driver's error is its `cause`), and callers may wrap again. The one walker of that chain.
 */
export function postgresErrorOf(error: unknown): PostgresError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; detail?: unknown; hint?: unknown };
    if (typeof candidate.code === 'string') {
      const found: PostgresError = {
        code: candidate.code,
        message: typeof candidate.message === 'string' ? candidate.message : String(candidate.code),
      };
      if (typeof candidate.detail === 'string' && candidate.detail) found.detail = candidate.detail;
      if (typeof candidate.hint === 'string' && candidate.hint) found.hint = candidate.hint;
      return found;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Socket-level failures to connect: the server is not there. */
export const connectionFailureCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The connection went away mid-run (server restart, pg_terminate_backend, network). */
export const lostConnectionCodes: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown, also what pg_terminate_backend raises
  '57P02', // crash_shutdown
]);

/**
 * postgres.js 3.4 can write to a socket it has already closed when a backend dies inside a
 * transaction (porsager/postgres#1154, #1208): a TypeError thrown from a setImmediate, outside any
 * promise. It means the connection was lost.
 */
export function isDriverWriteAfterClose(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /reading 'write'/.test(error.message) &&
    /postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
  );
}

/** The connection to the server was lost while a statement ran or was about to run. */
export function isLostConnection(error: unknown): boolean {
  if (isDriverWriteAfterClose(error)) return true;
  const code = postgresErrorOf(error)?.code;
  return code !== undefined && lostConnectionCodes.has(code);
}

/** PostgreSQL's message with its detail and hint, on one line: what a person needs to act. */
export function describePostgresError(pg: PostgresError): string {
  const parts = [pg.message];
  if (pg.detail) parts.push(`detail: ${pg.detail}`);
  if (pg.hint) parts.push(`hint: ${pg.hint}`);
  return parts.join(' ');
}
