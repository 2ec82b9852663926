import { sql } from 'drizzle-orm';
import { boolean, check, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// The state of the cutover from the legacy chat tables to the new ones, one row, read by the sync
// triggers (src/operator/cutover) in the same transaction as every write they mirror:
// - the orphan policy chats:migrate last ran with, so an old-app write of a session without a move is
//   handled exactly as the backfill handles it (no row yet: such a session waits for chats:migrate);
// - the go-live marker (chats:cutover): from then on the new tables win, and chats:migrate never
//   rewrites what the new app changed.
export const legacyChatCutover = pgTable(
  'legacy_chat_cutover',
  {
    /** Always true: the table holds one row at most. */
    singleton: boolean('singleton').primaryKey().default(true),
    /** archive, keep or assign: the policy the sync applies to orphan sessions (chats:migrate --orphans). */
    orphanPolicy: text('orphan_policy'),
    /** With orphan_policy assign: the move orphan sessions are attached to. */
    assignMoveId: uuid('assign_move_id'),
    policySetAt: timestamp('policy_set_at', { withTimezone: true }),
    /** When the new app went live (chats:cutover); NULL before. */
    liveAt: timestamp('live_at', { withTimezone: true }),
  },
  (t) => [
    check('legacy_chat_cutover_singleton', sql`${t.singleton}`),
    check(
      'legacy_chat_cutover_orphan_policy',
      sql`${t.orphanPolicy} in ('archive', 'keep', 'assign') and (${t.orphanPolicy} = 'assign') = (${t.assignMoveId} is not null)`,
    ),
  ],
);
