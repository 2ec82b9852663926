/** What happens to legacy sessions without a move (seed 000's "orphaned sessions"). */
export const orphanPolicies = ['archive', 'keep', 'assign'] as const;
export type OrphanPolicy = (typeof orphanPolicies)[number];

export const defaultBatchSize = 5000;
/**
 * Sessions per sessions batch at most, whatever the batch size: a sessions batch holds its sessions'
 * row locks until it commits, and the old app's insert of a message into one of them waits for that
 * (its foreign key check). 1,000 keeps that wait a fraction of a second on a busy machine, where 5,000
 * made the old app wait over 1 s (npm run bench -- --only move found it).
 */
export const sessionsBatchCap = 1000;
export const defaultLockTimeoutMs = 5000;

export interface OrphanOptions {
  /** archive (default): into chat_session_archive with the reason; keep: left, listed; assign: attached to moveId. */
  orphans?: OrphanPolicy;
  /** The move orphan sessions are attached to; required with orphans 'assign', refused otherwise. */
  moveId?: string | undefined;
}

export function orphanPolicyOf(options: OrphanOptions): {
  policy: OrphanPolicy;
  assignMoveId: string | undefined;
} {
  const policy = options.orphans ?? 'archive';
  if (policy === 'assign' && !options.moveId) {
    throw new TypeError(
      '--orphans=assign needs --move-id <uuid>: the move the orphan sessions are attached to.',
    );
  }
  if (policy !== 'assign' && options.moveId) {
    throw new TypeError('--move-id is only used with --orphans=assign.');
  }
  return { policy, assignMoveId: policy === 'assign' ? options.moveId : undefined };
}
