// Loaded before every test file (vitest `setupFiles`): its hooks wrap the whole file, and its
// afterAll runs last, after the file's own hooks, so that clones and roles outlive every test.
import { afterAll, beforeEach } from 'vitest';
import { markFileFailed, runFileCleanup } from '../support/file-cleanup.ts';

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => markFileFailed());
});

afterAll(async () => {
  await runFileCleanup();
});
