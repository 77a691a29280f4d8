import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // dist/ built once, from scratch: CLI tests run it, and tests from src/ load its hash worker.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests build and tamper with real trees and spawn the CLI; two cores.
    maxWorkers: 2,
  },
});
