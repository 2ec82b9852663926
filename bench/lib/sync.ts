import type postgres from 'postgres';

export { legacyBaselineTag } from '../../src/deploy/legacy-baseline-tag.js';

/** Removes the cutover sync's triggers (its functions stay): the two shapes then only meet through a move. */
export async function removeSync(sql: postgres.Sql): Promise<void> {
  await sql.unsafe('select conversations_cutover.legacy_chat_sync_uninstall()');
}
