import type { Database } from '../../app/database.js';
import { LegacyMoveRefusedError } from '../legacy-move/errors.js';
import { assertReadyToMove } from '../legacy-move/preconditions.js';
import { type ValidationResult, validateLegacyMove } from '../legacy-move/validate.js';
import { markGoLive } from './state.js';
import { readCutoverStatus } from './status.js';

export interface GoLiveResult {
  liveAt: Date;
  /** The marker was already set by an earlier chats:cutover: its time is kept. */
  already: boolean;
}

/**
 * Marks the new app live (npm run chats:cutover). Refuses, changing nothing, unless the sync is on and
 * the two shapes are equal (chats:validate passes): going live on a broken sync would let the new app
 * start from rows the old app has since changed. From the mark on, chats:migrate never rewrites a row
 * of the new tables.
 */
export async function goLive(
  db: Database,
  options: { orphans?: ValidationResult['orphanPolicy'] } = {},
): Promise<GoLiveResult> {
  await assertReadyToMove(db, 'chats:cutover');
  const status = await readCutoverStatus(db);
  if (status.sync !== 'on') {
    const off = status.triggers.filter((t) => !t.enabled).map((t) => `${t.trigger} on ${t.table}`);
    throw new LegacyMoveRefusedError(
      `chats:cutover refused: the sync is ${status.sync} (${off.join(', ')} missing or disabled), so the two shapes would drift apart. ` +
        'Enable the triggers again (ALTER TABLE ... ENABLE TRIGGER), run `npm run chats:migrate` and `npm run chats:validate`, then run chats:cutover again. Nothing was changed.',
    );
  }
  if (status.orphanPolicy === null) {
    throw new LegacyMoveRefusedError(
      'chats:cutover refused: chats:migrate has not run yet, so the rows written before the expand step are not in the new tables. Run `npm run chats:migrate`, then chats:cutover again. Nothing was changed.',
    );
  }
  const validation = await validateLegacyMove(db, {
    orphans: options.orphans ?? (status.orphanPolicy as ValidationResult['orphanPolicy']),
    idLimit: 10,
  });
  if (!validation.ok) {
    const failing = validation.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.failing}`);
    throw new LegacyMoveRefusedError(
      `chats:cutover refused: the legacy and new tables differ (${failing.join('; ')}). Run \`npm run chats:migrate\`, then \`npm run chats:validate\` to see what is left, then chats:cutover again. Nothing was changed.`,
    );
  }
  return markGoLive(db);
}
