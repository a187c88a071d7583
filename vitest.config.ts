import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SummaryReporter from './vitest.summary.js';

// One config runs every package's unit tests (next to the code), the
// cross-package tests in packages/tests and the playground's browser tests.
// Tests run against built packages: `pnpm test` builds first.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    // Every core: vitest's default for a run is one worker fewer than the cores, which on
    // a 2-core machine runs the files one at a time while they mostly wait on child processes.
    maxWorkers: availableParallelism(),
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', new SummaryReporter()],
  },
});
