/**
 * The transaction-local setting that marks writes made by the sync (or by the mover and the rollback,
 * whose writes are the image of the legacy rows): the other direction's triggers skip them, so no
 * write ping-pongs between the legacy and the new tables.
 */
export const syncingSetting = 'conversations_db.syncing';
