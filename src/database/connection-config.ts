import type pg from 'pg';

/** How long to wait for a server to accept a connection when nothing else says (seconds). */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/**
 * Milliseconds to wait for a connection, as libpq decides it: `connect_timeout` in the connection
 * string, else `PGCONNECT_TIMEOUT`, else ten seconds. Zero or less means "wait for ever" to libpq;
 * here it means the default, because a command that hangs on a server that never answers can
 * only be killed.
 */
export function connectTimeoutMs(url: string): number {
  let fromUrl: string | null = null;
  try {
    fromUrl = new URL(url).searchParams.get('connect_timeout');
  } catch {
    // Not a URL (a keyword/value string): the driver reports it when it connects.
  }
  for (const candidate of [fromUrl, process.env.PGCONNECT_TIMEOUT]) {
    const seconds = Number(candidate);
    if (candidate && Number.isFinite(seconds) && seconds > 0) return Math.max(2, seconds) * 1000;
  }
  return DEFAULT_CONNECT_TIMEOUT_SECONDS * 1000;
}

/**
 * The `pg` configuration every connection of the toolkit uses: a connect timeout, and TCP
 * keepalive so a server that vanished (failover, a cable) is noticed while a statement waits.
 */
export function connectionConfig(url: string, applicationName: string): pg.ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs(url),
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: applicationName,
  };
}
