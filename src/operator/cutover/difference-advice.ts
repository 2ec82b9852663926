import { counted } from '../../app/counted.js';
import type { OrphanPolicy } from '../legacy-move/options.js';
import type { DifferenceKind } from './differences.js';

export type DifferenceCounts = Partial<Record<DifferenceKind, number>>;

export interface DifferenceAdvice {
  /** The first command that works from this state, or null when only a hand fix does. */
  next: string | null;
  /** What to do, in sentences; the first command they name is `next`. */
  sentences: string[];
}

const theseOrThem = (n: number) => (n === 1 ? 'it' : 'them');

/**
 * What to do when the legacy and the new tables differ (legacy_chat_differences found rows): the
 * advice of the drop's guard, of `chats:validate` and of `db:status --verify`, so that the gate, the
 * guard and the status send an operator to the same step. drizzle/*_drop_legacy_chats.sql says the
 * same in PL/pgSQL (test/difference-advice.test.ts holds the two together).
 * - Orphans kept by `--orphans keep`: the drop would lose them. Running chats:migrate again with the
 *   same policy changes nothing (the loop issue 14 found), so the step is another policy; that run
 *   moves anything else missing too.
 * - Legacy messages whose session does not exist: no command can place them; only a hand fix.
 * - Anything else: chats:migrate converges; chats:validate shows what is left.
 */
export function differenceAdvice(
  counts: DifferenceCounts,
  orphanPolicy: OrphanPolicy | null,
): DifferenceAdvice {
  const n = (kind: DifferenceKind) => counts[kind] ?? 0;
  const kept = orphanPolicy === 'keep' ? n('orphan-not-archived') : 0;
  const withoutSession = n('message-without-session');
  const others = Object.entries(counts).reduce(
    (sum, [kind, count]) => (kind === 'message-without-session' ? sum : sum + (count ?? 0)),
    0,
  );
  const sentences: string[] = [];
  let next: string | null = null;
  if (kept > 0) {
    next = 'npm run chats:migrate -- --orphans archive';
    sentences.push(
      `${counted(kept, 'orphan session')} kept by \`chats:migrate --orphans keep\` would be lost by the drop: archive ${theseOrThem(kept)} with \`${next}\` (or attach ${theseOrThem(kept)} to a move with \`--orphans assign --move-id <uuid>\`), which moves anything else missing too.`,
    );
  } else if (others > 0) {
    next = 'npm run chats:migrate';
    sentences.push(
      `Run \`${next}\` to move what is missing, then \`npm run chats:validate\` to see any row left.`,
    );
  }
  if (withoutSession > 0) {
    sentences.push(
      `${counted(withoutSession, 'legacy message')} ${withoutSession === 1 ? 'has' : 'have'} no session (written with the foreign key bypassed), which no command can place: restore each session or delete each message (\`npm run chats:plan\` lists them).`,
    );
  }
  return { next, sentences };
}
