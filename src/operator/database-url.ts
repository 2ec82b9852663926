import { RefusedError } from '../app/errors/refused-error.js';

export class ConnectionConfigError extends RefusedError {
  override name = 'ConnectionConfigError';
}

/**
 * A server to connect to, read once from a postgres:// URL. The driver gets these parts, never the
 * raw string: postgres.js reads some URLs differently from the WHATWG parser the package prints
 * with (a raw `@` then `,` in the password becomes a list of other hosts), so what is printed and
 * what is connected to must come from one parse.
 */
export interface ServerAddress {
  /** A host name or IP address (IPv6 without brackets), or undefined for a Unix socket. */
  host: string | undefined;
  port: number;
  /** The Unix socket file, from `postgres:///database?host=/folder` (libpq's form). */
  socketPath: string | undefined;
  user: string | undefined;
  password: string | undefined;
  database: string | undefined;
  /** sslmode from the query (disable, prefer, require, verify-full), or undefined. */
  sslmode: string | undefined;
  /** Other libpq parameters the driver passes on as startup parameters. */
  applicationName: string | undefined;
}

const sslModes = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);
const supportedParameters = new Set(['host', 'port', 'user', 'sslmode', 'application_name']);
const fix =
  'Expected postgres://user:password@host:5432/database (percent-encode special characters: @ as %40, : as %3A, / as %2F, # as %23, ? as %3F, , as %2C), or unset it to use the embedded PGlite database.';

function refuse(problem: string): never {
  throw new ConnectionConfigError(`DATABASE_URL ${problem}. ${fix}`);
}

function decoded(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return refuse(`has a malformed %-escape in its ${what} (write a literal % as %25)`);
  }
}

/** Parses DATABASE_URL, refusing any URL the driver could read differently. Never echoes the password. */
export function parseDatabaseUrl(url: string): ServerAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('is not a valid URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConnectionConfigError(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${parsed.protocol}//. Fix it, or unset it to use the embedded PGlite database.`,
    );
  }
  if (!url.slice(parsed.protocol.length).startsWith('//')) return refuse('has no // after the scheme');
  // The authority as written: the part a driver scanning for the first "@" or "/" would read.
  const authority = url.slice(parsed.protocol.length + 2).split(/[/?#]/)[0] ?? '';
  if (authority.indexOf('@') !== authority.lastIndexOf('@')) {
    return refuse('has a raw @ in its user or password, which drivers read as the start of the host');
  }
  if (parsed.hash || url.includes('#')) return refuse('has a # (a fragment), which cuts the URL short');
  const hostname = parsed.hostname;
  if (/[,]/.test(hostname) || /%2c/i.test(hostname)) {
    return refuse(`names several hosts (${hostname}); the commands connect to one server: name one host`);
  }
  const pathname = parsed.pathname;
  if (pathname.slice(1).includes('/')) {
    return refuse('has a / in its database name (or a raw / or ? in its password)');
  }
  for (const key of parsed.searchParams.keys()) {
    if (!supportedParameters.has(key)) {
      return refuse(
        `has the parameter ${key}, which the commands do not pass on (use host, port, user, sslmode, application_name)`,
      );
    }
    if (parsed.searchParams.getAll(key).length > 1) return refuse(`repeats the parameter ${key}`);
  }
  const socketFolder = parsed.searchParams.get('host') ?? undefined;
  if (socketFolder !== undefined && !socketFolder.startsWith('/')) {
    return refuse(
      'has ?host= that is not an absolute folder (a Unix socket folder such as /var/run/postgresql)',
    );
  }
  if (socketFolder !== undefined && hostname) return refuse('names both a host and ?host= (a socket folder)');
  if (!hostname && socketFolder === undefined) return refuse('names no host');
  const portText = parsed.searchParams.get('port') ?? parsed.port;
  if (parsed.searchParams.has('port') && parsed.port) return refuse('names the port twice');
  const port = portText ? Number(portText) : 5432;
  if (!/^\d*$/.test(portText) || port < 1 || port > 65535) return refuse('has a port outside 1-65535');
  const sslmode = parsed.searchParams.get('sslmode') ?? undefined;
  if (sslmode !== undefined && !sslModes.has(sslmode)) {
    return refuse(`has sslmode=${sslmode}; use one of ${[...sslModes].join(', ')}`);
  }
  const database = decoded(pathname.slice(1), 'database name');
  const userParameter = parsed.searchParams.get('user') ?? undefined;
  if (userParameter !== undefined && parsed.username) return refuse('names the user twice');
  return {
    host: hostname ? hostname.replace(/^\[(.*)\]$/, '$1') : undefined,
    port,
    socketPath:
      socketFolder === undefined ? undefined : `${socketFolder.replace(/\/$/, '')}/.s.PGSQL.${port}`,
    user: parsed.username ? decoded(parsed.username, 'user') : userParameter,
    password: parsed.password ? decoded(parsed.password, 'password') : undefined,
    database: database || undefined,
    sslmode,
    applicationName: parsed.searchParams.get('application_name') ?? undefined,
  };
}
