import type { Queryable } from '../app/database.js';
import { checkTheDatabase } from '../app/errors/wrong-database.js';
import { MigrationRefusedError } from './errors.js';
import type { MigrationFile } from './migration-files.js';
import { readStoryPosition } from './story.js';

/**
 * A database without migration history that is not empty: migration 0000 would fail on the tables it
 * already has. Refuses, naming what to run instead (db:baseline adopts it). db:migrate asks this under
 * its lock; plain `drizzle-kit migrate` asks it through drizzle.config.ts before drizzle touches the
 * database (drizzle creates its history table before its transaction, and prints no error).
 */
export async function refuseUnadoptedDatabase(db: Queryable, migrations: MigrationFile[]): Promise<void> {
  const position = await readStoryPosition(db, migrations);
  if (position.phase === 'empty') return;
  const adopt =
    position.next === 'npm run db:baseline'
      ? ' (it adopts the database: records 0000 as applied without running it), then migrate again'
      : '';
  throw new MigrationRefusedError(
    `${position.summary} ${position.next ? `Run \`${position.next}\` first${adopt}.` : `Restore the missing tables first, or ${checkTheDatabase}.`}`,
  );
}
