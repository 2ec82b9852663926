import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'drizzle-kit';
import { pgliteDataDir } from './src/operator/connection-target.js';

// DATABASE_URL set: that PostgreSQL server. Unset: the embedded PGlite database the package's
// commands use too, so `npx drizzle-kit migrate` and `npm run db:migrate` act on the same data.
const url = process.env.DATABASE_URL;
const common = {
  dialect: 'postgresql',
  schema: './src/app/schema/index.ts',
  out: './drizzle',
  casing: undefined,
  strict: true,
  verbose: false,
} as const;

if (process.argv[2] === 'migrate') beforePlainMigrate();

export default url
  ? defineConfig({ ...common, dbCredentials: { url } })
  : defineConfig({ ...common, driver: 'pglite', dbCredentials: { url: ensureDir(pgliteDataDir()) } });

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Plain `npx drizzle-kit migrate` loads this file first, in its own process, before it connects.
 * 1. On a database with tables but no migration history (not adopted yet), drizzle-kit would create
 *    drizzle.__drizzle_migrations, fail on 0000 and exit 1 printing nothing (drizzle-orm#5816). A
 *    separate process (this file must stay synchronous) refuses first, with one line naming
 *    `npm run db:baseline`, before anything is written.
 * 2. drizzle-kit prints the server's notices as postgres.js objects with console.log; a guard's
 *    refusal (RAISE WARNING, then the EXCEPTION drizzle-kit does not print) reads better as
 *    "WARNING: <what was wrong>" and "HINT: <what to run>".
 */
function beforePlainMigrate(): void {
  const precheck = fileURLToPath(new URL('./scripts/drizzle-kit-precheck.ts', import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', precheck], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  const log = console.log.bind(console);
  console.log = (...args: unknown[]) => {
    const [first] = args;
    if (args.length === 1 && isNotice(first)) {
      log([`${first.severity}: ${first.message}`, ...(first.hint ? [`HINT: ${first.hint}`] : [])].join('\n'));
    } else log(...args);
  };
}

function isNotice(value: unknown): value is { severity: string; message: string; hint?: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'severity_local' in value &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
