import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // One server for the run, template databases cloned per file (see test/setup/global-setup.ts).
    globalSetup: ['test/setup/global-setup.ts'],
    // Drops each file's databases and roles after its last hook.
    setupFiles: ['test/setup/file-cleanup-hooks.ts'],
    pool: 'forks',
    // The machine has 2 cores; each file has its own database, so files can run side by side.
    fileParallelism: true,
    maxWorkers: 2,
    // Each file needs fresh support modules: their cleanup registry is per file.
    isolate: true,
    // Database work: migrations, seeds and an embedded server start take seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 60_000,
  },
});
