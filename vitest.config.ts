import { defineConfig } from 'vitest/config';

// One config runs every package's unit tests (next to the code) and the
// cross-package tests in packages/tests. Tests run against built packages.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
