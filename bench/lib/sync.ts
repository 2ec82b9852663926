import type postgres from 'postgres';

/** The legacy tables before the expand step: where the bench loads its data, as production has it. */
export const legacyBaselineTag = '0000_legacy_baseline';

/** Removes the cutover sync's triggers (its functions stay): the two shapes then only meet through a move. */
export async function removeSync(sql: postgres.Sql): Promise<void> {
  await sql.unsafe('select public.legacy_chat_sync_uninstall()');
}
