import { sql } from 'drizzle-orm';
import { type Queryable, queryRow } from '../../app/database.js';

/**
 * Empties the drop guard's log of what no guard will read again (guard-log-upkeep-sql.ts says why that is
 * exact): every row of a committed transaction, unless a drop's guard is running. chats:migrate runs it
 * at the end of a move (which writes two rows per message it moves) and chats:validate after its check,
 * so the log holds about what was written since the last of them. Returns false when it removed nothing
 * because a guard holds the log, or the database predates the prune (its migration not applied).
 */
export async function pruneGuardLog(db: Queryable): Promise<boolean> {
  const { present } = await queryRow<{ present: boolean }>(
    db,
    sql`select pg_catalog.to_regprocedure('conversations_cutover.legacy_chat_guard_log_prune()') is not null as present`,
  );
  if (!present) return false;
  const { pruned } = await queryRow<{ pruned: boolean }>(
    db,
    sql`select conversations_cutover.legacy_chat_guard_log_prune() as pruned`,
  );
  return pruned === true;
}
