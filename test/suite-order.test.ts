import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './support/run.js';
import { slowFiles } from './support/slow-first-sequencer.js';

// The sequencer starts these files first; a renamed or deleted one would silently fall back to the
// end of the queue, where a slow file makes the run wait for it alone.
it('every file the sequencer starts first exists, once', () => {
  expect(slowFiles.filter((file) => !existsSync(join(repoRoot, file)))).toEqual([]);
  expect(new Set(slowFiles).size).toBe(slowFiles.length);
});
