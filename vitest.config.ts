import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests build and tamper with real trees and spawn the CLI; two cores.
    maxWorkers: 2,
  },
});
