import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Training tests on the single-threaded wasm backend take tens of seconds; speed is measured by `npm run bench`,
    // never asserted here.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: one test file per core.
    maxWorkers: 2,
  },
});
