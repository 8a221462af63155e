import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run the compiled program, as a user does.
    globalSetup: ['test/global-setup.ts'],
    // Two files side by side take about twice the time each (a test of several builds: 30–60 s).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // A worker a core. vitest's default (one less: one on a two-core machine) left the second
    // core idle part of the time: the whole suite took 951 s with one worker and 705 s with two
    // on the quiet machine (issue 36, BENCHMARKS.md). Four files side by side on two cores ran
    // past their time limits (125–138 s).
    maxWorkers: Math.max(1, availableParallelism()),
  },
});
