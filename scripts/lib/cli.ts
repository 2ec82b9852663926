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
  const message = describe(error);
  if (error instanceof UsageError) {
    process.stderr.write(`${name}: ${message}\nRun \`npm run ${name} -- --help\` for usage.\n`);
    return exitCode.couldNotRun;
  }
  process.stderr.write(`${name}: ${message}\n`);
  if (error instanceof MigrationRefusedError || error instanceof ConnectionConfigError)
    return exitCode.couldNotRun;
  // RAISE EXCEPTION in a migration is a guard refusing (the drop of the legacy chats): wrong state.
  if (postgresErrorOf(error)?.code === 'P0001') return exitCode.couldNotRun;
  if (isConnectionFailure(error)) return exitCode.couldNotRun;
  return exitCode.problem;
}

function describe(error: unknown): string {
  if (isConnectionFailure(error)) {
    const { code } = error as { code: string };
    return `cannot reach the database server (${code}). Check that it is running and that DATABASE_URL names the right host and port.`;
  }
  if (error instanceof Error) {
    // drizzle wraps PostgreSQL's error as `cause` under "Failed query: <the whole SQL>": show the reason.
    const pgError = (postgresErrorOf(error) ?? error) as Error & { detail?: string; hint?: string };
    const parts = [pgError.message];
    if (pgError.detail) parts.push(`detail: ${pgError.detail}`);
    if (pgError.hint) parts.push(`hint: ${pgError.hint}`);
    return parts.join(' ');
  }
  return String(error);
}

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    [
      'ECONNREFUSED',
      'ENOTFOUND',
      'EAI_AGAIN',
      'ETIMEDOUT',
      'CONNECT_TIMEOUT',
      'ECONNRESET',
      'EHOSTUNREACH',
    ].includes(code)
  );
}

function postgresErrorOf(error: unknown): (Error & { code: string }) | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return current as Error & { code: string };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
