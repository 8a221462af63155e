import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run the compiled program, as a user does.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Most tests wait on a child process (the CLI, Chromium, LibreOffice, Java), so files run
    // side by side overlap those waits. Vitest's default, one worker fewer than the cores, is a
    // single worker on a two-core machine: the files ran one after another, a core mostly idle.
    maxWorkers: availableParallelism() + 2,
  },
});
