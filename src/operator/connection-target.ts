import { resolve } from 'node:path';

/** Where the embedded PGlite database lives when DATABASE_URL is unset. */
export function pgliteDataDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd = process.cwd(),
): string {
  return resolve(cwd, env.PGLITE_DATA_DIR ?? '.data/pglite');
}

/** The database URL with its password replaced, safe to print or log. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // An unparsable URL may still hold a password; never echo it back.
    return '<unparsable DATABASE_URL>';
  }
}
