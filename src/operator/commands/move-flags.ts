import { type OrphanPolicy, orphanPolicies } from '../legacy-move/index.js';
import { UsageError } from './usage-error.js';

export const orphanFlags = {
  orphans: { type: 'string' },
  'move-id': { type: 'string' },
} as const;

export const orphanHelp = `  --orphans <policy>   what happens to sessions without a move (move_id NULL):
                         archive (default): into chat_session_archive with their messages and the reason
                         keep: left in chat_sessions for manual review, listed (the drop refuses while they remain)
                         assign: attached to the move given by --move-id and moved like the others
  --move-id <uuid>     the move orphans are attached to (with --orphans=assign)`;

/** The orphan policy named by --orphans (default archive). */
export function orphanPolicyOf(value: string | undefined): OrphanPolicy {
  const orphans = (value ?? 'archive') as OrphanPolicy;
  if (!orphanPolicies.includes(orphans)) {
    throw new UsageError(`--orphans must be one of ${orphanPolicies.join(', ')}, not "${value}".`);
  }
  return orphans;
}

export function orphanOptions(flags: { orphans?: string | undefined; 'move-id'?: string | undefined }): {
  orphans: OrphanPolicy;
  moveId: string | undefined;
} {
  const orphans = orphanPolicyOf(flags.orphans);
  const moveId = flags['move-id'];
  if (orphans === 'assign' && !moveId) throw new UsageError('--orphans=assign needs --move-id <uuid>.');
  if (orphans !== 'assign' && moveId) throw new UsageError('--move-id is only used with --orphans=assign.');
  return { orphans, moveId };
}

/** PostgreSQL's integer: lock_timeout, LIMIT and the batch sizes must fit in it. */
const largestInteger = 2147483647;

export function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`--${name} must be a positive whole number, not "${value}".`);
  }
  if (Number(value) > largestInteger) {
    throw new UsageError(`--${name} must be at most ${largestInteger}, not ${value}.`);
  }
  return Number(value);
}

/** A whole number of 0 or more (--pause 0 means no pause). */
export function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`--${name} must be a whole number of 0 or more, not "${value}".`);
  }
  if (Number(value) > largestInteger) {
    throw new UsageError(`--${name} must be at most ${largestInteger}, not ${value}.`);
  }
  return Number(value);
}
