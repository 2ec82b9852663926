import { mkdirSync } from 'node:fs';
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

export default url
  ? defineConfig({ ...common, dbCredentials: { url } })
  : defineConfig({ ...common, driver: 'pglite', dbCredentials: { url: ensureDir(pgliteDataDir()) } });

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
