import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the hand-written reverses live: drizzle/down/<tag>.sql. */
export const downFolderName = 'down';

export function downFilePath(migrationsFolder: string, tag: string): string {
  return join(migrationsFolder, downFolderName, `${tag}.sql`);
}

/**
 * The statements of a down migration, split on drizzle's own `--> statement-breakpoint` so a down
 * file reads like the migration it reverses (and each statement runs on its own, as drivers need).
 */
export function readDownStatements(migrationsFolder: string, tag: string): string[] | undefined {
  const path = downFilePath(migrationsFolder, tag);
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8')
    .split('--> statement-breakpoint')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
