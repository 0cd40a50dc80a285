import { startContainerDatabase } from './container-database.ts';
import { containerRuntimeAnswers } from './container-runtime.ts';
import { embeddedPostgresVersion } from './embedded-binaries.ts';
import { startEmbeddedDatabase } from './embedded-database.ts';
import { useEnvDatabase } from './env-database.ts';
import type { DatabaseKind, ProvisionedDatabase } from './provisioned-database.ts';

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
}

/**
 * Decides where the database comes from, in this order: `DATABASE_URL` if set; else a container if
 * a container runtime answers within ~300 ms; else an embedded server.
 */
export async function chooseDatabaseKind(options: Pick<ProvisionOptions, 'env' | 'dockerSocketPath'> = {}): Promise<DatabaseKind> {
  const env = options.env ?? process.env;
  if (env.DATABASE_URL) return 'env';
  if (await containerRuntimeAnswers({ env, socketPath: options.dockerSocketPath })) return 'container';
  return 'embedded';
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
