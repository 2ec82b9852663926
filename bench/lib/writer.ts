import type postgres from 'postgres';
import { percentile } from './stats.js';

export interface WriterResult {
  inserts: number;
  maxMs: number;
  /** 95th percentile of the insert latencies. */
  p95Ms: number;
  /** Latencies over 1 s: each one an insert that waited on the move. */
  over1s: number;
}

/**
 * The live app during the move: its own connection inserts legacy chat_messages into existing
 * sessions, one at a time with a 10 ms pause, and times every insert until stopped.
 */
export function startWriter(sql: postgres.Sql, sessionIds: readonly string[]) {
  const latencies: number[] = [];
  let running = true;
  let failure: unknown;
  const loop = (async () => {
    let i = 0;
    while (running) {
      const sessionId = sessionIds[i++ % sessionIds.length];
      const started = performance.now();
      try {
        await sql`insert into chat_messages (session_id, role, content) values (${sessionId ?? null}, 'user', 'written during the move')`;
      } catch (error) {
        failure = error;
        return;
      }
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop(): Promise<WriterResult> {
      running = false;
      await loop;
      if (failure) throw new Error(`the concurrent writer failed: ${(failure as Error).message}`);
      return {
        inserts: latencies.length,
        maxMs: latencies.length ? Math.max(...latencies) : 0,
        p95Ms: latencies.length ? percentile(latencies, 95) : 0,
        over1s: latencies.filter((l) => l > 1000).length,
      };
    },
  };
}
