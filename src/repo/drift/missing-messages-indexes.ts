import type { Queryable } from '../../app/database.js';
import { pendingIndexes } from '../../operator/legacy-move/deferred-indexes.js';
import { moverLockHolder } from '../../operator/legacy-move/mover-lock.js';
import type { Finding } from './finding.js';

/**
 * The secondary indexes of `messages` that a first chats:migrate drops for its load and builds again
 * after it: missing or INVALID now means a run was killed in between (or is loading now). A finding with
 * the command that builds them, never a build: db:check only reads. Read-only also for the mover lock
 * (pg_locks), so a check never blocks or is blocked by a mover.
 */
export async function missingMessagesIndexes(
  db: Queryable,
): Promise<{ names: string[]; findings: Finding[] }> {
  const pending = await pendingIndexes(db);
  if (pending.length === 0) return { names: [], findings: [] };
  const names = pending.map((p) => p.name);
  const listed = pending.map((p) => (p.invalid ? `${p.name} (INVALID)` : p.name)).join(', ');
  const mover = await moverLockHolder(db);
  const finding: Finding =
    mover === undefined
      ? {
          check: 'live-schema',
          file: 'database',
          message: `messages lacks indexes the migrations created: ${listed}. A chats:migrate stopped during its first load (it drops them for the load and builds them after) left them so.`,
          fix: 'run `npm run db:migrate` (it builds them again, CONCURRENTLY, from the schema; so does the next `npm run chats:migrate`), then db:check again.',
        }
      : {
          check: 'live-schema',
          file: 'database',
          message: `messages lacks indexes the migrations created: ${listed}, while a chats:migrate (backend ${mover}, holding the move lock) is loading: it builds them when its load ends.`,
          fix: 'wait for that chats:migrate to finish (`npm run chats:status` shows its progress), then db:check again.',
        };
  return { names, findings: [finding] };
}
