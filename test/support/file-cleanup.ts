import { inject } from 'vitest';

/** Something a test file created that must be undone after the file. */
export interface Cleanup {
  /** Named in the "kept" message, e.g. `database it_empty_3f…`. */
  what: string;
  /** Kept for inspection when a test of the file failed and INTEGRITET_KEEP_FAILED=1. */
  keepOnFailure: boolean;
  run(): Promise<void>;
}

const pending: Cleanup[] = [];
let fileFailed = false;

/**
 * Registers `cleanup` to run after the current test file (test/setup/file-cleanup-hooks.ts runs
 * them last, newest first: a role is dropped before the database it was granted on).
 */
export function cleanUpAfterFile(cleanup: Cleanup): void {
  pending.push(cleanup);
}

/** Records that a test of the current file failed, so its databases and roles may be kept. */
export function markFileFailed(): void {
  fileFailed = true;
}

/** Runs the registered cleanups, newest first; every one runs even when an earlier one fails. */
export async function runFileCleanup(): Promise<void> {
  const keep = fileFailed && process.env.INTEGRITET_KEEP_FAILED === '1';
  const kept: string[] = [];
  const errors: unknown[] = [];
  for (let cleanup = pending.pop(); cleanup; cleanup = pending.pop()) {
    if (keep && cleanup.keepOnFailure) {
      kept.push(cleanup.what);
      continue;
    }
    try {
      await cleanup.run();
    } catch (error) {
      errors.push(error);
    }
  }
  if (kept.length > 0) {
    const embedded = inject('integritetServer').kind === 'embedded';
    // An embedded server dies with the run, so what it kept is only inspectable on a real server.
    const note = embedded ? ' (on the embedded server, which stops with the run: set DATABASE_URL to inspect them)' : '';
    console.log(`INTEGRITET_KEEP_FAILED=1: kept ${kept.join(', ')}${note}`);
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'cleanup after the test file failed');
}
