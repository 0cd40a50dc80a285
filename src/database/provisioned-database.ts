/** Where a provisioned PostgreSQL server comes from. */
export type DatabaseKind = 'env' | 'container' | 'embedded';

/** A PostgreSQL server that tests or the demo can use, with the means to stop it. */
export interface ProvisionedDatabase {
  /** Connection string of a superuser on the maintenance database (`postgres`). */
  url: string;
  kind: DatabaseKind;
  /** e.g. "PostgreSQL 15.20" read from the server. */
  serverVersion: string;
  /** Temporary directory of an embedded server (removed by `stop`); undefined for other kinds. */
  directory?: string;
  /** Stops what was started (container/embedded); a no-op for `env`. Idempotent. */
  stop(): Promise<void>;
}
