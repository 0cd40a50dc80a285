import { redactUrl } from './redact-url.ts';

/** Node's codes of a connection that never reached a PostgreSQL server, with what to check. */
const UNREACHED: Record<string, string> = {
  ECONNREFUSED: 'connection refused: check that PostgreSQL runs there and listens on that port',
  ENOTFOUND: 'no such host: check the host name in the URL',
  EAI_AGAIN: 'the host name could not be resolved now: check the host name and the network',
  ETIMEDOUT: 'timed out: check the host, the port and any firewall between',
  EHOSTUNREACH: 'host unreachable: check the host and the network',
  ENETUNREACH: 'network unreachable: check the host and the network',
  ENOENT: 'no such socket: check that PostgreSQL runs and the socket folder in the URL',
};

/**
 * A message for an error raised while connecting to `url` that says where (host and port,
 * never the password) and what to check, or undefined when the server answered (a wrong
 * password or database name: PostgreSQL's own message says that well).
 */
export function describeConnectError(url: string, error: unknown): string | undefined {
  const parts = error instanceof AggregateError ? [error, ...error.errors] : [error];
  for (const part of parts) {
    const code = (part as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code in UNREACHED) return `cannot connect to ${where(url)}: ${UNREACHED[code]}`;
  }
  return undefined;
}

function where(url: string): string {
  try {
    const parsed = new URL(url);
    const socket = parsed.searchParams.get('host');
    if (!parsed.hostname && socket) return `the socket in ${socket}`;
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'} (${redactUrl(url)})`;
  } catch {
    return redactUrl(url);
  }
}
