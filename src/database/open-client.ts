import pg from 'pg';
import { ConnectionLostError, StoppedError } from '../errors/privacy-error.ts';
import { connectionConfig } from './connection-config.ts';
import { describeError } from './describe-error.ts';

/** Options of {@link openClient}. */
export interface OpenClientOptions {
  /** `application_name` of the session, as `pg_stat_activity` shows it. */
  applicationName?: string;
  /** Aborting it while the connection is being made gives up at once (SIGTERM during a hang). */
  signal?: AbortSignal;
}

/**
 * Opens one connection to `connection` (a URL or a `pg` configuration) with the toolkit's timeouts, guarded against the `'error'` event
 * a lost connection emits (without a listener it kills the process): the statement that was
 * running, or the next one, fails with that error instead. A server that never answers gives up
 * after the connect timeout, and an aborted `signal` gives up at once.
 */
export async function openClient(connection: string | pg.ClientConfig, options: OpenClientOptions = {}): Promise<pg.Client> {
  const applicationName = options.applicationName ?? 'integritet';
  const client = new pg.Client(typeof connection === 'string' ? connectionConfig(connection, applicationName)
    : { ...connectionConfig(connection.connectionString ?? '', applicationName), connectionString: undefined, ...connection });
  guardClient(client);
  await connectAbortably(client, options.signal);
  return client;
}

/**
 * Listens for the `'error'` event of `client`: a connection the server ends (restart, failover,
 * `pg_terminate_backend`) surfaces as the failing statement's error, never as an uncaught one.
 */
export function guardClient(client: pg.ClientBase): void {
  if (!client.listeners('error').includes(ignoreConnectionError)) client.on('error', ignoreConnectionError);
}

function ignoreConnectionError(): void {
  // The statement in flight (or the next one) rejects with the same error: the caller reports it.
}

/** Connects `client`; an abort of `signal` (or one before the call) ends the attempt at once. */
export async function connectAbortably(client: pg.Client, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw stoppedWhileConnecting(signal);
  const abort = () => {
    // What pg's own connect timeout does: end the socket, so connect() rejects now.
    const connection = (client as unknown as { connection?: { _ending?: boolean; stream?: { destroy(error?: Error): void } } }).connection;
    if (connection) connection._ending = true;
    connection?.stream?.destroy(new Error('stopped'));
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    if (signal?.aborted) throw stoppedWhileConnecting(signal);
    throw connectionFailed(error);
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

function stoppedWhileConnecting(signal: AbortSignal): StoppedError {
  const why = typeof signal.reason === 'string' ? signal.reason : 'stop requested';
  return new StoppedError(`stopped (${why}) while connecting to the database: nothing was done`, { code: 'STOPPED' });
}

/** A failed connect as the toolkit's error, keeping the driver's message (and SQLSTATE) in `cause`. */
export function connectionFailed(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  // Errors the server sent (wrong password, no such database) are clear already; keep them.
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return error;
  const message = describeError(error);
  return new ConnectionLostError(
    message === 'timeout expired' ? 'the database did not answer within the connect timeout (PGCONNECT_TIMEOUT or connect_timeout)'
      : `cannot connect to the database: ${message}`,
    { code: 'CONNECTION_FAILED', cause: error });
}
