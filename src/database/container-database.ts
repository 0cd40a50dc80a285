import { randomBytes } from 'node:crypto';
import { DatabaseProvisionError } from './database-provision-error.ts';
import { describeError } from './describe-error.ts';
import type { ProvisionedDatabase } from './provisioned-database.ts';
import { readServerVersion } from './server-version.ts';

/** The image used when none is given; the newest major, like the embedded server. */
export const DEFAULT_POSTGRES_IMAGE = 'postgres:18-alpine';

/**
 * Starts a throwaway PostgreSQL container with Testcontainers (imported only here, only when a
 * runtime answered) and returns a superuser URL on its `postgres` database.
 */
export async function startContainerDatabase(options: { image?: string; log?: (line: string) => void } = {}): Promise<ProvisionedDatabase> {
  const image = options.image ?? DEFAULT_POSTGRES_IMAGE;
  const log = options.log ?? (() => {});
  const started = Date.now();
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer(image)
      .withUsername('postgres')
      .withPassword(randomBytes(16).toString('hex'))
      .withDatabase('postgres')
      // Durability is worthless for a throwaway server; skipping it makes DDL-heavy tests faster.
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'])
      .start();
    const url = container.getConnectionUri();
    const serverVersion = await readServerVersion(url).catch(async (error: unknown) => {
      await container.stop().catch(() => undefined);
      throw error;
    });
    log(`${serverVersion} in container ${image} ready in ${Date.now() - started} ms`);
    let stopping: Promise<void> | undefined;
    return {
      url,
      kind: 'container',
      serverVersion,
      stop: () => (stopping ??= container.stop().then(() => undefined)),
    };
  } catch (cause) {
    throw new DatabaseProvisionError('CONTAINER_START_FAILED', `could not start a ${image} container: ${describeError(cause)}`, { cause });
  }
}
