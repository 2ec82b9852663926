import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConnectionConfigError, type DatabaseHandle, openDatabase } from '../../src/connect.js';
import { MigrationRefusedError } from '../../src/migrator/errors.js';

/** Exit codes shared by every command: 0 done, 1 ran and found a problem, 2 could not run. */
export const exitCode = { ok: 0, problem: 1, couldNotRun: 2 } as const;

/** Wrong use of a command: bad flags or values. Exit 2 with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

type ParsedFlags<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true }>
>['values'];

/** Parses flags strictly (unknown flags and stray arguments are errors) and handles --help. */
export function parseFlags<O extends Options>(argv: string[], options: O, help: string): ParsedFlags<O> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${help.trim()}\n`);
    process.exit(exitCode.ok);
  }
  return values as ParsedFlags<O>;
}

/**
 * Runs a command's body with an open database and turns every failure into one readable line and
 * an exit code. The body returns its exit code.
 */
export async function runCommand(name: string, body: () => Promise<number>): Promise<never> {
  // Errors thrown outside the body's promise chain still end as one line and an exit code, never
  // as a stack trace.
  const crash = (error: unknown) => process.exit(reportFailure(name, error));
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  let code: number;
  try {
    code = await body();
  } catch (error) {
    code = reportFailure(name, error);
  }
  process.exit(code);
}

export async function withDatabase<T>(use: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await openDatabase();
  try {
    return await use(handle);
  } finally {
    await handle.close().catch(() => {});
  }
}

function reportFailure(name: string, error: unknown): number {
  const { line, code } = explain(name, error);
  // Library errors name their command for library callers; the line already starts with it.
  const own = line.startsWith(`${name} `) ? line.slice(name.length + 1) : line;
  process.stderr.write(`${name}: ${oneLine(withoutPassword(own))}\n`);
  return code;
}

/** What went wrong and what to do, and whether the command could not run (2) or ran and failed (1). */
export function explain(name: string, error: unknown): { line: string; code: number } {
  const couldNotRun = (line: string) => ({ line, code: exitCode.couldNotRun });
  if (error instanceof UsageError) {
    return couldNotRun(`${error.message}. Run \`npm run ${name} -- --help\` for usage.`);
  }
  if (error instanceof MigrationRefusedError || error instanceof ConnectionConfigError) {
    return couldNotRun(error.message);
  }
  const code = errorCode(error);
  if (isDriverWriteAfterClose(error)) {
    return couldNotRun(
      'the connection to the database server was lost (socket closed); the interrupted transaction was rolled back. Run the command again.',
    );
  }
  if (code && connectionFailureCodes.has(code)) {
    return couldNotRun(
      `cannot reach the database server (${code}). Check that it is running and that DATABASE_URL names the right host and port.`,
    );
  }
  if (code && lostConnectionCodes.has(code)) {
    return couldNotRun(
      `the connection to the database server was lost (${code}); the interrupted transaction was rolled back. Run the command again.`,
    );
  }
  const advice = code ? serverRefusalAdvice[code] : undefined;
  if (advice) return couldNotRun(`${describe(error)}. ${advice}`);
  // RAISE EXCEPTION in a migration is a guard refusing (the drop of the legacy chats): wrong state.
  if (code === 'P0001') return couldNotRun(describe(error));
  return { line: describe(error), code: exitCode.problem };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    // drizzle wraps driver errors ("Failed query: ..."); the driver's own message says what happened.
    const pgError = (pgErrorOf(error) ?? error) as Error & { detail?: string; hint?: string };
    const parts = [pgError.message];
    if (pgError.detail) parts.push(`detail: ${pgError.detail}`);
    if (pgError.hint) parts.push(`hint: ${pgError.hint}`);
    return parts.join(' ');
  }
  return String(error);
}

/** The PostgreSQL or socket error behind `error`, unwrapping drizzle's DrizzleQueryError. */
function pgErrorOf(error: unknown): { code: string } | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return current as { code: string };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  return pgErrorOf(error)?.code;
}

/**
 * postgres.js 3.4 can write to a socket it has already closed when a backend dies inside a
 * transaction (porsager/postgres#1154, #1208): a TypeError thrown from a setImmediate, outside any
 * promise. It means the connection was lost, so report it as such.
 */
function isDriverWriteAfterClose(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /reading 'write'/.test(error.message) &&
    /postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
  );
}

/** Socket-level failures to connect: the server is not there. */
const connectionFailureCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The connection went away mid-run (server restart, pg_terminate_backend, network). */
const lostConnectionCodes = new Set([
  'ECONNRESET',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown, also what pg_terminate_backend raises
  '57P02', // crash_shutdown
]);

/** SQLSTATEs that mean the command could not run here, and what the operator should do. */
const serverRefusalAdvice: Record<string, string> = {
  '28P01': 'Check the user and password in DATABASE_URL.',
  '28000': 'Check the user in DATABASE_URL, and that the server (pg_hba.conf) admits it.',
  '3D000': 'Create that database first, or fix the database name in DATABASE_URL.',
  '53300': 'The server has no free connection slots; try again later or raise max_connections.',
  '57P03': 'The server is starting up or shutting down; try again in a moment.',
  '55P03': 'Another session holds a lock this command needs (lock_timeout); try again when it is done.',
};

/** Never print the password of DATABASE_URL, even when a driver or server echoes it back. */
function withoutPassword(line: string): string {
  const password = passwordOf(process.env.DATABASE_URL);
  if (!password) return line;
  let safe = line;
  for (const form of new Set([password, safeDecode(password), encodeURIComponent(password)])) {
    if (form) safe = safe.split(form).join('***');
  }
  return safe;
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).password || undefined;
  } catch {
    // Unparsable: take whatever sits between "user:" and the last "@" of the authority.
    return /^[^:]+:\/\/[^:/@]*:(.*)@/.exec(url)?.[1] || undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
