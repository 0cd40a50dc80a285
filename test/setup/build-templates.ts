import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { describeError } from '../../src/database/describe-error.ts';
import { connectionUrl } from '../support/connection-url.ts';
import { createDatabase, dropDatabase } from '../support/database-lifecycle.ts';
import type { TemplateName, TemplateOutcome } from '../support/provided-context.ts';
import { uniqueName } from '../support/unique-name.ts';

/** The API of examples/rental/install.ts that the `rental` template needs. */
interface RentalInstallModule {
  installRentalSchema(db: pg.ClientBase): Promise<void>;
  seedRental(db: pg.ClientBase): Promise<void>;
}

/** The API of examples/tracking/seed.ts that the `tracking` template needs. */
interface TrackingSeedModule {
  installTrackingSchema(db: pg.ClientBase): Promise<void>;
  seedTracking(db: pg.ClientBase, options?: { scale?: number; seed?: number; asOf?: Date }): Promise<unknown>;
}

// A computed specifier: the example is optional to this file, so a missing or broken one fails
// only the `tracking` template (and the files that use it), not the type check or the run.
const TRACKING_SEED = fileURLToPath(new URL('../../examples/tracking/seed.ts', import.meta.url));
const RENTAL_INSTALL = fileURLToPath(new URL('../../examples/rental/install.ts', import.meta.url));

/**
 * Builds the template databases (`empty`; `base`: the toolkit migrated in; `tracking`: `base` plus
 * the reference schema and a small seed; `rental`: the second reference schema with its data, then
 * the toolkit migrated in, as a DBA installs it into an existing database). A template that fails is recorded with its error, not
 * thrown, so that only the test files that clone it fail. Built templates are closed to
 * connections, so nothing can hold a session that would make cloning them fail.
 */
export async function buildTemplates(serverUrl: string): Promise<Record<TemplateName, TemplateOutcome>> {
  const empty = await buildTemplate(serverUrl, 'empty', async () => {});
  const base = await buildTemplate(serverUrl, 'base', async (url) => {
    await migrateUp(url);
  });
  const tracking =
    'error' in base
      ? { error: `needs template "base", which failed: ${base.error}` }
      : await buildTemplate(
          serverUrl,
          'tracking',
          async (url) => {
            const seed = (await import(TRACKING_SEED)) as TrackingSeedModule;
            const client = new pg.Client(url);
            await client.connect();
            try {
              await seed.installTrackingSchema(client);
              await seed.seedTracking(client, { scale: 0.05 });
            } finally {
              await client.end();
            }
          },
          base.database,
        );
  const rental = await buildTemplate(serverUrl, 'rental', async (url) => {
    const install = (await import(RENTAL_INSTALL)) as RentalInstallModule;
    const client = new pg.Client(url);
    await client.connect();
    try {
      await install.installRentalSchema(client);
      await install.seedRental(client);
    } finally {
      await client.end();
    }
    await migrateUp(url);
  });
  return { empty, base, tracking, rental };
}

/** Drops the templates that were built. */
export async function dropTemplates(serverUrl: string, templates: Record<TemplateName, TemplateOutcome>): Promise<void> {
  for (const outcome of Object.values(templates)) {
    if ('database' in outcome) await dropTemplate(serverUrl, outcome.database);
  }
}

async function buildTemplate(
  serverUrl: string,
  kind: TemplateName,
  fill: (url: string) => Promise<void>,
  from = 'template0',
): Promise<TemplateOutcome> {
  const database = uniqueName(`itpl_${kind}`);
  try {
    await createDatabase(serverUrl, database, from);
    await fill(connectionUrl(serverUrl, database));
    await closeToConnections(serverUrl, database);
    return { database };
  } catch (error) {
    await dropTemplate(serverUrl, database).catch(() => undefined);
    return { error: describeError(error) };
  }
}

async function closeToConnections(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client(serverUrl);
  await client.connect();
  try {
    const name = client.escapeIdentifier(database);
    await client.query(`alter database ${name} with is_template true allow_connections false`);
    // Sessions a fill step left open (e.g. an unclosed pool) would block every clone.
    await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
  } finally {
    await client.end();
  }
}

async function dropTemplate(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client(serverUrl);
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) return;
    // A template database cannot be dropped until it is made an ordinary one again.
    await client.query(`alter database ${client.escapeIdentifier(database)} with is_template false`);
  } finally {
    await client.end();
  }
  await dropDatabase(serverUrl, database);
}
