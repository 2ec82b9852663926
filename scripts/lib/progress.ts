import type { MoveProgress } from '../../src/legacy-move/index.js';

/**
 * Progress on stderr (done/total, rate, ETA), only when stderr is a terminal: logs and pipes get
 * the final summary alone. Returns undefined when there is nothing to draw.
 */
export function terminalProgress(
  stream: NodeJS.WriteStream = process.stderr,
): { onProgress: (p: MoveProgress) => void; finish: () => void } | undefined {
  if (!stream.isTTY) return undefined;
  let lastDrawn = 0;
  let drawn = false;
  return {
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastDrawn < 200 && p.done < p.total) return;
      lastDrawn = now;
      drawn = true;
      const percent = p.total ? ((100 * p.done) / p.total).toFixed(1) : '100.0';
      const eta = p.etaSeconds === undefined ? '?' : `${Math.ceil(p.etaSeconds)}s`;
      stream.write(
        `\r${p.phase}: ${p.done}/${p.total} legacy rows (${percent}%), ${Math.round(p.rowsPerSecond)} rows/s, ETA ${eta}   `,
      );
    },
    finish: () => {
      if (drawn) stream.write('\n');
    },
  };
}
