import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest against a server, longest first, as measured on this 2-core machine
 * (vitest's per-file durations). Two workers take files from one queue; a slow file picked up last
 * runs alone at the end while the other core idles, so these start first. `consumer` comes first
 * because it builds the run's one `npm pack` (see packed-package.ts) that the other packing files
 * then find ready, and `pglite-default` beside it because it needs no pack.
 */
export const slowFiles = [
  'test/consumer.test.ts',
  'test/pglite-default.test.ts',
  'test/legacy-move-faults.test.ts',
  'test/story-walk.test.ts',
  'test/legacy-move-deferred-indexes.test.ts',
  'test/cutover-sync.test.ts',
  'test/command-process.test.ts',
  'test/db-check-reference-database.test.ts',
  'test/row-level-security-roles.test.ts',
  'test/test-kit.test.ts',
  'test/drizzle-peer-range.test.ts',
  'test/db-check.test.ts',
  'test/migrator-online.test.ts',
  'test/legacy-drop-guard.test.ts',
  'test/legacy-move-concurrency.test.ts',
  'test/rollback.test.ts',
  'test/migrator.test.ts',
  'test/migrator-verify.test.ts',
  'test/legacy-move-convergence.test.ts',
  'test/refusal-texts.test.ts',
  'test/security-planted-objects.test.ts',
  'test/db-check-database.test.ts',
];

/**
 * The same in PGlite mode (no DATABASE_URL), where the files that need several connections are
 * skipped and every command in process opens a PGlite folder: the files that run many commands lead.
 */
export const pgliteSlowFiles = [
  'test/consumer.test.ts',
  'test/pglite-default.test.ts',
  'test/migrator-verify.test.ts',
  'test/migrator.test.ts',
  'test/story-walk.test.ts',
  'test/legacy-drop-guard.test.ts',
  'test/command-flags.test.ts',
  'test/legacy-move-convergence.test.ts',
  'test/db-check-reference-database.test.ts',
  'test/legacy-move-mapping.test.ts',
  'test/difference-advice.test.ts',
  'test/legacy-move-orphans.test.ts',
  'test/plain-drizzle-kit.test.ts',
  'test/cutover-commands.test.ts',
  'test/migrator-host-app.test.ts',
  'test/refusal-texts.test.ts',
  'test/legacy-move-hostile-use.test.ts',
  'test/test-kit.test.ts',
  'test/command-process.test.ts',
  'test/legacy-move-blocks.test.ts',
  'test/db-check-database.test.ts',
  'test/conversation-activity.test.ts',
  'test/security-partial-rollback.test.ts',
  'test/legacy-move-commands.test.ts',
];

/**
 * The same order on every machine, with or without vitest's results cache (CI is a clean clone, and
 * the default sequencer orders by cached durations only when a cache exists): the slow files above
 * first (those of the mode this run uses), in that order, then every other file largest first (file
 * size, then name).
 */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    // The same choice as global-setup.ts makes (a testcontainers server, if any, runs like a server).
    const server = Boolean(process.env.TEST_DATABASE_URL || process.env.DATABASE_URL);
    const slow = server ? slowFiles : pgliteSlowFiles;
    const keyed = files.map((spec) => {
      const path = relative(root, spec.moduleId);
      const rank = slow.indexOf(path);
      return { spec, path, rank: rank === -1 ? slow.length : rank, size: statSync(spec.moduleId).size };
    });
    keyed.sort(
      (a, b) => a.rank - b.rank || b.size - a.size || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
    return keyed.map((k) => k.spec);
  }
}
