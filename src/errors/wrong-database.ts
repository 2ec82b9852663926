import { pgliteDataDir } from '../connection-target.js';

/**
 * What a refusal says when the database may simply be the wrong one. The library cannot know how its
 * caller connected, so it says this; the commands, which know, name the database instead
 * (`nameTheDatabase`): DATABASE_URL when it is set, else the embedded PGlite folder, never a
 * DATABASE_URL that is not set.
 */
export const checkTheDatabase = 'check that you are connected to the database you meant';

export function nameTheDatabase(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  const named = env.DATABASE_URL
    ? 'check that DATABASE_URL names the database you meant'
    : `check that the embedded PGlite database at ${pgliteDataDir(env, cwd)} is the one you meant (DATABASE_URL is not set; set it to use a PostgreSQL server)`;
  return text.split(checkTheDatabase).join(named);
}
