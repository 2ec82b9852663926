import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The absolute path of the `drizzle/` folder shipped with the package, for drizzle's own migrator:
 * `await migrate(db, { migrationsFolder })`. This file sits one level below the package root both
 * as source (src/) and as built (dist/), so the same relative path works for both.
 */
export const migrationsFolder: string = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');
