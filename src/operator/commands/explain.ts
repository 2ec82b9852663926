import {
  connectionFailureCodes,
  describePostgresError,
  isLostConnection,
  postgresErrorOf,
} from '../../app/errors/postgres-error.js';
import { RefusedError } from '../../app/errors/refused-error.js';
import { exitCode } from './exit-code.js';
import { withoutPassword } from './secrets.js';
import { UsageError } from './usage-error.js';

/** SQLSTATEs that mean the command could not run here, and what the operator should do. */
const serverRefusalAdvice: Record<string, string> = {
  '28P01': 'Check the user and password in DATABASE_URL.',
  '28000': 'Check the user in DATABASE_URL, and that the server (pg_hba.conf) admits it.',
  '3D000': 'Create that database first, or fix the database name in DATABASE_URL.',
  '53300': 'The server has no free connection slots; try again later or raise max_connections.',
  '57P03': 'The server is starting up or shutting down; try again in a moment.',
  '55P03': 'Another session holds a lock this command needs (lock_timeout); try again when it is done.',
};

/** A sentence ends with one full stop, whatever the message it continues ended with. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** What went wrong and what to do, and whether the command could not run (2) or ran and failed (1). */
export function explain(name: string, error: unknown): { line: string; code: number } {
  const couldNotRun = (line: string) => ({ line, code: exitCode.couldNotRun });
  if (error instanceof UsageError) {
    return couldNotRun(`${sentence(error.message)} Run \`npm run ${name} -- --help\` for usage.`);
  }
  if (error instanceof RefusedError) {
    return couldNotRun(error.message);
  }
  const pg = postgresErrorOf(error);
  if (isLostConnection(error)) {
    return couldNotRun(
      `the connection to the database server was lost (${pg?.code ?? 'socket closed'}); the interrupted transaction was rolled back. Run the command again.`,
    );
  }
  if (pg && connectionFailureCodes.has(pg.code)) {
    return couldNotRun(
      `cannot reach the database server (${pg.code}). Check that it is running and that DATABASE_URL names the right host and port.`,
    );
  }
  const described = pg ? describePostgresError(pg) : error instanceof Error ? error.message : String(error);
  const advice = pg ? serverRefusalAdvice[pg.code] : undefined;
  if (advice) return couldNotRun(`${sentence(described)} ${advice}`);
  // RAISE EXCEPTION in a migration is a guard refusing (the drop of the legacy chats): wrong state.
  if (pg?.code === 'P0001') return couldNotRun(described);
  return { line: described, code: exitCode.problem };
}

/** The one line a failed command prints: its name, what went wrong, never the password. */
export function failureLine(
  name: string,
  error: unknown,
  databaseUrl: string | undefined,
): {
  line: string;
  code: number;
} {
  const { line, code } = explain(name, error);
  // Library errors name their command for library callers; the line already starts with it.
  const own = line.startsWith(`${name} `) ? line.slice(name.length + 1) : line;
  return { line: `${name}: ${oneLine(withoutPassword(own, databaseUrl))}`, code };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
