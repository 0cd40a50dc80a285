import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../database/describe-error.ts';
import { openClient } from '../database/open-client.ts';

// SQLSTATEs and socket errors that say "the server is gone or not ready", not "the statement was wrong".
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
const CONNECTION_MESSAGES = /connection terminated|terminated unexpectedly|connection error|timeout expired|timeout exceeded when trying to connect|not queryable|connect ECONNREFUSED|the database system is (starting up|shutting down|in recovery)/i;

/** SQLSTATE invalid_catalog_name: the worker's database does not exist (any more). */
const DATABASE_MISSING = '3D000';

/**
 * The message of an error as pg-boss or pg hands it over: pg-boss emits plain objects copied
 * from errors (`{ ...error, message, stack }`), which `String()` prints as `[object Object]`.
 */
export function describeWorkerError(error: unknown): string {
  if (error instanceof Error) return describeError(error);
  if (typeof error === 'object' && error !== null) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    if (typeof message === 'string' && message) return message;
    if (typeof code === 'string') return code;
    try {
      return JSON.stringify(error);
    } catch {
      return 'unknown error';
    }
  }
  return String(error);
}

/** Whether `error` means the database cannot be reached (restart, failover, network), so a retry may succeed. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errors, message } = error as { code?: unknown; errors?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_SQLSTATES.has(code) || SOCKET_CODES.has(code))) return true;
  if (Array.isArray(errors) && errors.some(isConnectionError)) return true; // AggregateError of a multi-address connect
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

/** Whether `error` says the worker's database is gone: nothing to wait for. */
export function isDatabaseMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === DATABASE_MISSING;
}

/** Options of {@link watchDatabaseOutages}. */
export interface OutageWatchOptions {
  /** The worker's connection string: probed until it answers again. */
  url: string;
  log: (line: string) => void;
  /** Called once when the database is gone (dropped): the worker must stop. */
  onFatal: (error: Error) => void;
  /** First pause between probes (default 1 000 ms), doubling up to `maxDelayMs`. */
  firstDelayMs?: number;
  /** Longest pause between probes (default 30 000 ms). */
  maxDelayMs?: number;
}

/** Watches the errors of a worker's connections for an outage of the database. */
export interface OutageWatch {
  /**
   * Hands over an error of a connection, pg-boss or a job. Returns true when it belongs to an
   * outage (the watch logs it: one line when it starts, one per probe, one when it ends), false
   * when the caller should report it itself.
   */
  report(error: unknown): boolean;
  /** True while the database is unreachable. */
  readonly down: boolean;
  /** Stops probing. */
  close(): void;
}

/**
 * One clear line per attempt while the database is down, instead of every poll of every
 * connection failing on its own: the first connection error starts probing with backoff (1 s,
 * 2 s, 4 s … 30 s), and the connection errors of pg-boss and the pools are left unlogged until
 * a probe gets through. pg-boss reconnects by itself; jobs that were running when the server
 * went down are taken up again once their heartbeat runs out. A database that does not exist
 * (dropped) is fatal: `onFatal` is called and probing ends.
 */
export function watchDatabaseOutages(options: OutageWatchOptions): OutageWatch {
  const firstDelay = options.firstDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const stopping = new AbortController();
  let down = false;
  let fatal = false;

  const die = (error: unknown) => {
    if (fatal) return;
    fatal = true;
    stopping.abort();
    const name = databaseName(options.url);
    options.log(`database ${name} does not exist any more (${describeWorkerError(error)}): stopping`);
    options.onFatal(error instanceof Error ? error : new Error(describeWorkerError(error)));
  };

  const probeUntilUp = async (first: unknown) => {
    const since = Date.now();
    let delay = firstDelay;
    options.log(`database unreachable (${describeWorkerError(first)}): trying again in ${seconds(delay)}`);
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      try {
        await sleep(delay, undefined, { signal: stopping.signal });
      } catch {
        return;
      }
      try {
        const client = await openClient(options.url, { applicationName: 'integritet worker (probe)', signal: stopping.signal });
        try {
          await client.query('select 1');
        } finally {
          await client.end().catch(() => undefined);
        }
        down = false;
        options.log(`database reachable again after ${seconds(Date.now() - since)} (${attempt} ${attempt === 1 ? 'try' : 'tries'}): carrying on`);
        return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        if (isDatabaseMissing(error)) return die(error);
        delay = Math.min(delay * 2, maxDelay);
        options.log(`database still unreachable, try ${attempt} (${describeWorkerError(error)}): trying again in ${seconds(delay)}`);
      }
    }
  };

  return {
    report(error) {
      if (fatal) return true;
      if (isDatabaseMissing(error)) {
        die(error);
        return true;
      }
      if (!isConnectionError(error)) return false;
      if (!down) {
        down = true;
        void probeUntilUp(error);
      }
      return true;
    },
    get down() {
      return down;
    },
    close: () => stopping.abort(),
  };
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || '(default)';
  } catch {
    return '(of the connection string)';
  }
}
