import pg from 'pg';
import { connectionConfig } from './connection-config.ts';
import { guardClient } from './open-client.ts';

/** Options of {@link openPool}. */
export interface OpenPoolOptions {
  max?: number;
  applicationName?: string;
  /** Told of connection errors on idle connections (default: ignored; the next statement reports them). */
  onIdleError?: (error: Error) => void;
}

/**
 * A pool on `url` with the toolkit's timeouts, whose connections can be lost without killing the
 * process: the pool's own `'error'` event (an idle connection ended) and every connection's
 * `'error'` event while it is checked out (pg-pool stops listening then; Kysely and a running
 * sweep hold connections that long) have a listener.
 */
export function openPool(url: string, options: OpenPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(url, options.applicationName ?? 'integritet'), max: options.max ?? 4 });
  pool.on('error', (error) => options.onIdleError?.(error));
  pool.on('connect', (client) => guardClient(client));
  return pool;
}
