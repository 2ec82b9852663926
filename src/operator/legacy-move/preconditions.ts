import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';
import { ownedRoles, tableNamesWithRole } from '../../app/schema/tables.js';
import { expandStepTag } from '../../deploy/expand-step.js';
import { historyTableExists } from '../../deploy/history.js';
import { readStoryPosition } from '../../deploy/story.js';
import { LegacyMoveRefusedError } from './errors.js';

const legacyTables = ['chat_sessions', 'chat_messages'] as const;
/** The tables the move writes: every table the package owns (the new tables, the orphan archive, the move's ledger, the cutover's state). */
export const moveTargetTables = tableNamesWithRole(...ownedRoles);

export interface MoveTablesPresence {
  /** chat_sessions and chat_messages both exist: the drop has not run. */
  legacy: boolean;
  /** The new tables and the move's ledger exist: the expand step has run. */
  target: boolean;
  missingTarget: string[];
}

export async function moveTablesPresence(db: Queryable): Promise<MoveTablesPresence> {
  const names = [...legacyTables, ...moveTargetTables];
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and c.relname in (${sql.join(
            names.map((n) => sql`${n}`),
            sql`, `,
          )})`,
  );
  const present = new Set(rows.map((r) => r.name));
  const missingTarget = moveTargetTables.filter((t) => !present.has(t));
  return {
    legacy: legacyTables.every((t) => present.has(t)),
    target: missingTarget.length === 0,
    missingTarget,
  };
}

/**
 * Refuses, saying what to run, unless both the legacy tables and the new ones are there. Tells apart
 * the states an operator can be in: pointed at the wrong (or an empty) database, the drop already run,
 * a legacy database never adopted (no migration history), or one not yet migrated to the expand step.
 */
export async function assertReadyToMove(db: Queryable, command: string): Promise<void> {
  const presence = await moveTablesPresence(db);
  if (presence.legacy && presence.target) return;
  const expand = `npm run db:migrate -- --to ${expandStepTag()}`;
  // No legacy tables and no conversations: not a database this package ever moved (the drop keeps them).
  if (!presence.legacy && presence.missingTarget.includes('conversations')) {
    const position = await readStoryPosition(db);
    if (position.phase === 'host-unadopted') {
      throw new LegacyMoveRefusedError(
        `${command} refused: this database has the app's tables but no legacy chats and no migration history. ${position.summary} Run \`${position.next}\` first.`,
      );
    }
    throw new LegacyMoveRefusedError(
      `${command} refused: this database has neither the legacy chat tables (chat_sessions, chat_messages) nor the new ones. ` +
        'Check that DATABASE_URL names the database of the old app (to try the move on generated data, run `npm run demo`).',
    );
  }
  if (!presence.legacy) {
    throw new LegacyMoveRefusedError(
      `${command} refused: the legacy tables chat_sessions and chat_messages are gone (the drop has run), so there is nothing to ${command === 'chats:rollback' ? 'roll back' : 'move or check'}. ` +
        'Nothing to do; check that DATABASE_URL names the database you meant (`npm run db:status` shows where this one stands).',
    );
  }
  const missing = presence.missingTarget.join(', ');
  if (!(await historyTableExists(db))) {
    throw new LegacyMoveRefusedError(
      `${command} refused: the new tables are missing (${missing}) and this database has no migration history. ` +
        `Adopt it with \`npm run db:baseline\`, then run \`${expand}\`.`,
    );
  }
  throw new LegacyMoveRefusedError(
    `${command} refused: the new tables are missing (${missing}). Run \`${expand}\` first.`,
  );
}

/** --orphans=assign needs a move that exists. */
export async function assertMoveExists(db: Queryable, moveId: string): Promise<void> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(moveId)) {
    throw new LegacyMoveRefusedError(`--move-id ${moveId} is not a uuid. Pass the id of a row of moves.`);
  }
  const rows = await queryRows<{ found: boolean }>(
    db,
    sql`select exists (select 1 from moves where id = ${moveId}::uuid) as found`,
  );
  if (rows[0]?.found !== true) {
    throw new LegacyMoveRefusedError(
      `--move-id ${moveId}: no such move in moves. Pass the id of an existing move to attach the orphan sessions to.`,
    );
  }
}
