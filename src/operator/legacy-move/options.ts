/** What happens to legacy sessions without a move (seed 000's "orphaned sessions"). */
export const orphanPolicies = ['archive', 'keep', 'assign'] as const;
export type OrphanPolicy = (typeof orphanPolicies)[number];

export const defaultBatchSize = 5000;
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
