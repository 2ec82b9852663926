import type { Queryable } from '../../app/database.js';
import type { StoryPosition } from '../../deploy/story.js';
import { differenceAdvice } from './difference-advice.js';
import { findDifferences } from './find-differences.js';
import { readCutoverState } from './state.js';

/**
 * `db:status --verify`: between the expand step and the drop, runs the one definition of "accounted
 * for" (legacy_chat_differences(false), the drop guard's check and chats:validate's) and says what it
 * found and the step the guard would name (difference-advice.ts). Any other phase is returned as it is.
 * Reads every legacy and new row: seconds per million legacy messages, so only on request.
 */
export async function verifyStoryPosition(db: Queryable, position: StoryPosition): Promise<StoryPosition> {
  if (position.phase !== 'expanded' && position.phase !== 'moved') return position;
  const groups = await findDifferences(db, false, 0);
  const differences = Object.fromEntries(groups.filter((g) => g.count > 0).map((g) => [g.kind, g.count]));
  if (Object.keys(differences).length === 0) {
    return {
      phase: 'moved',
      summary:
        "The legacy and new tables are equal under the mapping (the check of the drop's guard and chats:validate); the drop of the legacy tables is pending.",
      next: 'npm run db:migrate',
      differences,
    };
  }
  const { orphanPolicy } = await readCutoverState(db);
  const advice = differenceAdvice(differences, orphanPolicy);
  const list = Object.entries(differences)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  return {
    phase: 'expanded',
    summary: `The new tables exist; the legacy and new tables are not equal under the mapping (${list}), so the drop's guard would refuse. ${advice.sentences.join(' ')}`,
    next: advice.next,
    differences,
  };
}
