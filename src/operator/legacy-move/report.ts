import type { MoveResult } from './move.js';

/** The JSON written by chats:migrate --report <file>. */
export interface MoveReport {
  command: 'chats:migrate';
  /** ISO time the report was written. */
  finishedAt: string;
  orphanPolicy: MoveResult['orphanPolicy'];
  assignMoveId: string | null;
  batchSize: number;
  batches: number;
  durationMs: number;
  legacy: MoveResult['legacy'];
  moved: MoveResult['moved'];
  /** What this run wrote: inserted, updated and deleted rows per table. */
  counts: MoveResult['counts'];
  conversationsKept: string[];
  /** Batches that hit a lock timeout (or a conflict) and ran again. */
  retries: MoveResult['retries'];
  /** When the new app went live (chats:cutover), or null; after it the move never rewrites the new tables. */
  liveAt: string | null;
  /** After go-live: rows where the shapes differ, left as the new app wrote them. */
  leftAsNewAppWrote: number;
  /** Every legacy row not in the new tables, and why. */
  notMoved: {
    sessions: MoveResult['notMoved']['sessions'];
    messages: MoveResult['notMoved']['messages'];
    /** How many per reason. */
    byReason: Record<string, { sessions: number; messages: number }>;
  };
}

export function buildMoveReport(result: MoveResult, finishedAt: Date = new Date()): MoveReport {
  const byReason: MoveReport['notMoved']['byReason'] = {};
  const tally = (reason: string) => {
    byReason[reason] ??= { sessions: 0, messages: 0 };
    return byReason[reason];
  };
  for (const s of result.notMoved.sessions) tally(s.reason).sessions++;
  for (const m of result.notMoved.messages) tally(m.reason).messages++;
  return {
    command: 'chats:migrate',
    finishedAt: finishedAt.toISOString(),
    orphanPolicy: result.orphanPolicy,
    assignMoveId: result.assignMoveId ?? null,
    batchSize: result.batchSize,
    batches: result.batches,
    durationMs: result.durationMs,
    legacy: result.legacy,
    moved: result.moved,
    counts: result.counts,
    conversationsKept: result.conversationsKept,
    retries: result.retries,
    liveAt: result.liveAt?.toISOString() ?? null,
    leftAsNewAppWrote: result.leftAsNewAppWrote,
    notMoved: { sessions: result.notMoved.sessions, messages: result.notMoved.messages, byReason },
  };
}
