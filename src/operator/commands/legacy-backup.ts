import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface LegacyBackup {
  file: string;
  /** Data rows of each table in the dump (COPY lines), to compare with the live counts. */
  rows: { chat_sessions: number; chat_messages: number };
}

/**
 * The backup seeds 001 and 004 ask for before the move and before the drop: pg_dump of the legacy
 * tables (schema and data) into `file`, restorable with `psql -f <file>` on a database without them.
 * Returns undefined when pg_dump is not installed.
 */
export function dumpLegacyTables(databaseUrl: string, file: string): LegacyBackup | undefined {
  const run = spawnSync(
    'pg_dump',
    [
      '--no-owner',
      '--table=public.chat_sessions',
      '--table=public.chat_messages',
      `--file=${file}`,
      databaseUrl,
    ],
    { encoding: 'utf8' },
  );
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  if (run.status !== 0) throw new Error(`pg_dump failed: ${run.stderr.trim() || run.error?.message}`);
  const dump = readFileSync(file, 'utf8');
  const rowsOf = (table: string) => {
    const start = dump.indexOf(`COPY public.${table} `);
    if (start === -1) return 0;
    const body = dump.slice(dump.indexOf('\n', start) + 1, dump.indexOf('\n\\.\n', start));
    return body === '' ? 0 : body.split('\n').length;
  };
  return { file, rows: { chat_sessions: rowsOf('chat_sessions'), chat_messages: rowsOf('chat_messages') } };
}
