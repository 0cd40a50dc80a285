import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { connectionUrl } from './connection-url.ts';
import { createDatabase, dropDatabase } from './database-lifecycle.ts';
import { cleanUpAfterFile } from './file-cleanup.ts';
import type { TemplateName } from './provided-context.ts';
import { uniqueName } from './unique-name.ts';

/** A database of the test run's server that belongs to one test file. */
export interface TestDatabase {
  /** Its name, random. */
  readonly name: string;
  /** Connection string of this database as superuser. */
  readonly url: string;
  /** Connection string of the maintenance database (`postgres`) as superuser. */
  readonly adminUrl: string;
  /** A superuser pool on this database, created on first use and closed after the file. */
  pool(): pg.Pool;
}

/**
 * Call at the top of a test file (or of a `describe`): before its tests, clones the `template`
 * that global setup built into a database of its own, dropped after the file (or kept when a test
 * failed and INTEGRITET_KEEP_FAILED=1). A template that global setup could not build fails here,
 * in beforeAll, with the reason, so only the files that need it fail.
 */
export function useTestDatabase(template: TemplateName): TestDatabase {
  let database: OpenDatabase | undefined;
  beforeAll(async () => {
    const outcome = inject('integritetTemplates')[template];
    if ('error' in outcome) throw new Error(`template "${template}" could not be built in global setup: ${outcome.error}`);
    database = await openDatabase(uniqueName(`it_${template}`), outcome.database);
  });
  afterAll(async () => {
    await database?.closePool();
  });
  const opened = (): OpenDatabase => {
    if (!database) throw new Error(`useTestDatabase('${template}') is usable in tests and hooks, after its beforeAll has run`);
    return database;
  };
  return {
    get name() {
      return opened().name;
    },
    get url() {
      return opened().url;
    },
    get adminUrl() {
      return opened().adminUrl;
    },
    pool: () => opened().pool(),
  };
}

/**
 * Creates an empty database from nothing (`template0`) right away, for tests that build a schema
 * themselves, such as migrations: await it in a hook or a test. Dropped after the test file (or
 * kept on failure) by the same mechanism as the clones, which also closes its pool.
 */
export async function createScratchDatabase(): Promise<TestDatabase> {
  return openDatabase(uniqueName('it_scratch'), 'template0');
}

interface OpenDatabase extends TestDatabase {
  closePool(): Promise<void>;
}

async function openDatabase(name: string, template: string): Promise<OpenDatabase> {
  const adminUrl = inject('integritetServer').url;
  await createDatabase(adminUrl, name, template);
  cleanUpAfterFile({ what: `database ${name}`, keepOnFailure: true, run: () => dropDatabase(adminUrl, name) });
  const url = connectionUrl(adminUrl, name);
  let pool: pg.Pool | undefined;
  const closePool = async () => {
    const open = pool;
    pool = undefined;
    await open?.end();
  };
  // Registered after the drop, so it runs before it (cleanups run newest first).
  cleanUpAfterFile({ what: `pool on ${name}`, keepOnFailure: false, run: closePool });
  return {
    name,
    url,
    adminUrl,
    pool: () => (pool ??= idleErrorsIgnored(new pg.Pool({ connectionString: url, max: 5 }))),
    closePool,
  };
}

/** An idle connection ended by the server (e.g. a forced drop) must not crash the worker. */
function idleErrorsIgnored(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {});
  return pool;
}
