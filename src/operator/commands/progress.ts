import type { MoveProgress } from '../legacy-move/index.js';
import type { CommandIo } from './io.js';

/** How often a log (not a terminal) gets a progress line: often enough that CI never looks hung. */
export const logProgressEveryMs = 5000;

export interface ProgressReporter {
  onProgress: (p: MoveProgress) => void;
  finish: () => void;
}

function describeProgress(p: MoveProgress): string {
  const percent = p.total ? ((100 * p.done) / p.total).toFixed(1) : '100.0';
  const eta = p.etaSeconds === undefined ? '?' : `${Math.ceil(p.etaSeconds)}s`;
  return `${p.phase}: ${p.done}/${p.total} legacy rows (${percent}%), ${Math.round(p.rowsPerSecond)} rows/s, ETA ${eta}`;
}

/**
 * Progress on stderr (done/total, rate, ETA). On a terminal one line redrawn in place; in a log
 * (CI, a pipe) a plain line every few seconds, so a long run is never silent.
 */
export function moveProgress(io: CommandIo, name: string): ProgressReporter {
  const now = io.now ?? Date.now;
  const stream = io.stderr;
  let drawn = false;
  if (io.isTTY.stderr) {
    let lastDrawn = 0;
    return {
      onProgress: (p) => {
        const t = now();
        if (t - lastDrawn < 200 && p.done < p.total) return;
        lastDrawn = t;
        drawn = true;
        stream.write(`\r${describeProgress(p)}   `);
      },
      finish: () => {
        if (drawn) stream.write('\n');
      },
    };
  }
  let lastLogged = now();
  return {
    onProgress: (p) => {
      const t = now();
      if (t - lastLogged < (io.progressEveryMs ?? logProgressEveryMs)) return;
      lastLogged = t;
      stream.write(`${name}: ${describeProgress(p)}\n`);
    },
    finish: () => {},
  };
}

/**
 * For steps without progress of their own (a plan, a validation): a line every few seconds on stderr
 * while `work` runs, saying it still runs. Returns what `work` returns.
 */
export async function withHeartbeat<T>(
  io: CommandIo,
  name: string,
  doing: string,
  work: () => Promise<T>,
): Promise<T> {
  const every = io.progressEveryMs ?? logProgressEveryMs;
  if (!Number.isFinite(every)) return work();
  const started = (io.now ?? Date.now)();
  const timer = setInterval(() => {
    const seconds = Math.round(((io.now ?? Date.now)() - started) / 1000);
    io.stderr.write(`${name}: still ${doing} (${seconds}s)\n`);
  }, every);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
