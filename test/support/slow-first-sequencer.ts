import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, longest first, as measured on this 2-core machine (`npm run bench:suite`
 * and vitest's per-file durations). Two workers take files from one queue; a slow file picked up last
 * runs alone at the end while the other core idles, so these start first. `consumer` comes first
 * because it builds the run's one `npm pack` (see packed-package.ts) that the other packing files
 * then find ready, and `pglite-default` beside it because it needs no pack.
 */
export const slowFiles = [
  'test/consumer.test.ts',
  'test/pglite-default.test.ts',
  'test/legacy-move-faults.test.ts',
  'test/command-process.test.ts',
  'test/drizzle-peer-range.test.ts',
  'test/refusal-texts.test.ts',
  'test/story-walk.test.ts',
  'test/cutover-sync.test.ts',
  'test/test-kit.test.ts',
  'test/migrator-online.test.ts',
  'test/migrator-verify.test.ts',
  'test/db-check.test.ts',
  'test/db-check-catalog.test.ts',
  'test/security-app-role.test.ts',
  'test/legacy-move-concurrency.test.ts',
  'test/legacy-drop-guard.test.ts',
];

/**
 * The same order on every machine, with or without vitest's results cache (CI is a clean clone, and
 * the default sequencer orders by cached durations only when a cache exists): the slow files above
 * first, in that order, then every other file largest first (file size, then name).
 */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const keyed = files.map((spec) => {
      const path = relative(root, spec.moduleId);
      const rank = slowFiles.indexOf(path);
      return { spec, path, rank: rank === -1 ? slowFiles.length : rank, size: statSync(spec.moduleId).size };
    });
    keyed.sort(
      (a, b) => a.rank - b.rank || b.size - a.size || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
    return keyed.map((k) => k.spec);
  }
}
