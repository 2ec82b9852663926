import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Files run in parallel, each on its own database; two workers match the two cores we have.
    maxWorkers: 2,
    // The files of a worker share its loaded modules (src/ is imported and transformed once per
    // worker, not once per file: vitest's "import" time went from 31 s to 6 s) and what src/ caches per
    // process, such as db:check's reference catalog built on an in-memory PGlite. Safe here because no
    // test mocks a module, stubs a global or changes process.env: each passes its env to what it runs.
    isolate: false,
    // The slow files first, in the same order with or without a results cache (see the sequencer).
    sequence: { sequencer: SlowFirstSequencer },
    // Budgets, not expectations: on a shared 2-core machine under a load of 20 (other runs, PGlite's
    // single-process server) a test that takes 5 s idle took over 60 s, and a timeout there is a
    // failure that says nothing about the code. No test asserts a wall time.
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // test/types.test-d.ts (expectTypeOf) is checked by the `tsc --noEmit` that npm test runs first, over
    // tsconfig.json, which includes test/: vitest's own typecheck ran that same tsc a second time.
  },
});
