/** What went wrong while provisioning a database server. */
export type DatabaseProvisionErrorCode =
  | 'DATABASE_URL_INVALID'
  | 'DATABASE_URL_UNREACHABLE'
  | 'CONTAINER_START_FAILED'
  | 'EMBEDDED_BINARIES_UNREACHABLE'
  | 'EMBEDDED_START_FAILED'
  | 'NO_SERVER_PACKAGE';

/**
 * Raised when no usable PostgreSQL server could be provisioned. `serverLog` carries the output of
 * an embedded server that failed to initialise or start, which is also appended to the message.
 */
export class DatabaseProvisionError extends Error {
  readonly code: DatabaseProvisionErrorCode;
  readonly serverLog: string | undefined;

  constructor(code: DatabaseProvisionErrorCode, message: string, options: { cause?: unknown; serverLog?: string } = {}) {
    const log = options.serverLog?.trim();
    super(log ? `${message}\n--- server log ---\n${log}` : message, { cause: options.cause });
    this.name = 'DatabaseProvisionError';
    this.code = code;
    this.serverLog = options.serverLog;
  }
}
