import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Files run in parallel, each on its own database; two workers match the two cores we have.
    maxWorkers: 2,
    // Budgets, not expectations: on a shared 2-core machine under a load of 20 (other runs, PGlite's
    // single-process server) a test that takes 5 s idle took over 60 s, and a timeout there is a
    // failure that says nothing about the code. No test asserts a wall time.
    testTimeout: 300_000,
    hookTimeout: 600_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: 'tsconfig.json' },
  },
});
