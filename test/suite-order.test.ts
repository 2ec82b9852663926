import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './support/run.js';
import { pgliteSlowFiles, slowFiles } from './support/slow-first-sequencer.js';

// The sequencer starts these files first; a renamed or deleted one would silently fall back to the
// end of the queue, where a slow file makes the run wait for it alone.
it.each([
  ['against a server', slowFiles],
  ['in PGlite mode', pgliteSlowFiles],
])('every file the sequencer starts first %s exists, once', (_mode, files) => {
  expect(files.filter((file) => !existsSync(join(repoRoot, file)))).toEqual([]);
  expect(new Set(files).size).toBe(files.length);
});
