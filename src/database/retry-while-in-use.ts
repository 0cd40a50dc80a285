import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectInUseError, PrivacyError } from '../errors/privacy-error.ts';

/** Options of {@link retryWhileInUse}. */
export interface RetryWhileInUseOptions {
  /** Give up after this many milliseconds of trying (default: 10 minutes). */
  maxWaitMs?: number;
  /** Receives one line per attempt that found something in use: what, held by whom. */
  log?: (line: string) => void;
  /** First pause between attempts in milliseconds, doubled each time up to 5 s (default 100). */
  firstPauseMs?: number;
}

/** Whether an error is a lock that was not free: PV015 from privacy.lock_for_ddl, or lock_not_available (55P03). */
export function isInUse(error: unknown): boolean {
  for (let e: unknown = error; e !== null && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 'PV015' || code === '55P03') return true;
  }
  return false;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `attempt` (one transaction, rolled back by the attempt itself when it fails) until it
 * does not fail for a lock that is not free, pausing between attempts with backoff and jitter.
 * The toolkit's DDL waits at most `privacy.ddl_lock_timeout` in a lock queue per attempt
 * (sql/015-ddl-locks.sql), so the application never waits longer than that behind it, however
 * long the toolkit itself has to try. Any other error is thrown at once; after `maxWaitMs` the
 * last one is thrown as an {@link ObjectInUseError} saying how long it tried.
 */
export async function retryWhileInUse<T>(what: string, attempt: () => Promise<T>, options: RetryWhileInUseOptions = {}): Promise<T> {
  const maxWaitMs = options.maxWaitMs ?? 10 * 60_000;
  const started = performance.now();
  let pause = options.firstPauseMs ?? 100;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isInUse(error)) throw error;
      const waited = performance.now() - started;
      if (waited + pause > maxWaitMs) {
        throw new ObjectInUseError(`${what}: gave up after ${Math.round(waited / 1000)} s and ${tries} attempts: ${messageOf(error)}`, {
          code: 'PV015', object: error instanceof PrivacyError ? error.object : undefined, cause: error,
        });
      }
      options.log?.(`${what}: waiting: ${messageOf(error)} (attempt ${tries}, next in ${(pause / 1000).toFixed(1)} s)`);
      await sleep(pause * (0.5 + Math.random() / 2));
      pause = Math.min(pause * 2, 5_000);
    }
  }
}
