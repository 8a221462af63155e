import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run the compiled program, as a user does.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One worker less than the cores (vitest's default; one on a two-core machine). Four files
    // side by side on two cores were measured from a fresh clone: the CPU-bound ones (a dozen
    // signing builds, a build per output format) ran past their time limits, 125–138 s.
    maxWorkers: Math.max(1, availableParallelism() - 1),
  },
});
