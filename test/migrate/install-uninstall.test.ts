import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { MigrationError } from '../../src/errors/privacy-error.ts';
import { migrateDown, migrateUp, migrationStatus } from '../../src/migrate/migrator.ts';
import { normalisedPgDump, toolkitSnapshot } from '../support/schema-snapshot.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';

async function scalar<T>(url: string, sql: string): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0]?.value as T;
  } finally {
    await client.end();
  }
}

async function serverMajor(url: string): Promise<number> {
  return Math.floor(Number(await scalar<string>(url, `select current_setting('server_version_num') as value`)) / 10000);
}

describe('installing and uninstalling the toolkit', () => {
  let fresh: TestDatabase, cycled: TestDatabase;
  beforeAll(async () => {
    fresh = await createScratchDatabase();
    cycled = await createScratchDatabase();
  });


  it('up on an empty database applies every migration and definition, and status says so', async () => {
    const result = await migrateUp(fresh.url);
    expect(result.versioned).toContain('0001-privacy-catalog');
    expect(result.repeatable.length).toBeGreaterThan(5);
    const states = await migrationStatus(fresh.url);
    expect(states.filter((s) => s.state !== 'applied')).toEqual([]);
    expect(await migrateUp(fresh.url)).toEqual({ versioned: [], repeatable: [] });
  });

  it('down --all leaves no object of the toolkit and keeps roles that existed before', async () => {
    await migrateUp(cycled.url);
    const rolesBefore = await scalar<number>(cycled.url, `select count(*)::int as value from pg_roles where rolname like 'privacy\\_%'`);
    await migrateDown(cycled.url, { all: true });
    expect(await scalar<boolean>(cycled.url, `select exists (select from pg_namespace where nspname = 'privacy') as value`)).toBe(false);
    expect(await scalar<number>(cycled.url,
      `select count(*)::int as value from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'privacy'`)).toBe(0);
    // The roles were there before this database installed (the test cluster's template made them).
    expect(await scalar<number>(cycled.url, `select count(*)::int as value from pg_roles where rolname like 'privacy\\_%'`)).toBe(rolesBefore);
    expect(rolesBefore).toBe(5);
    expect(await migrationStatus(cycled.url)).toSatisfy((states: { state: string }[]) => states.every((s) => s.state === 'pending'));
  });

  it('up → down → up gives exactly the schema of a fresh install', async () => {
    await migrateUp(cycled.url);
    expect(await toolkitSnapshot(cycled.url)).toEqual(await toolkitSnapshot(fresh.url));
    const major = await serverMajor(fresh.url);
    const dump = normalisedPgDump(fresh.url, major);
    if (dump !== undefined) expect(normalisedPgDump(cycled.url, major)).toEqual(dump);
  });

  it('down with nothing installed reverts nothing and fails nothing', async () => {
    const empty = await migrateDown(cycled.url, { all: true }).then(() => migrateDown(cycled.url, { all: true }));
    expect(empty.versioned).toEqual([]);
    await migrateUp(cycled.url);
  });

  it('refuses an unknown target migration by name, changing nothing', async () => {
    await expect(migrateUp(fresh.url, { to: '9999-nothing' })).rejects.toMatchObject({
      name: 'MigrationError', code: 'MIGRATION_UNKNOWN', object: '9999-nothing',
    });
    await expect(migrateDown(fresh.url, { to: '9999-nothing' })).rejects.toBeInstanceOf(MigrationError);
    expect((await migrationStatus(fresh.url)).every((s) => s.state === 'applied')).toBe(true);
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    await scalar(fresh.url, `update privacy.schema_migration set checksum = 'edited' where name = '0001-privacy-catalog'`);
    await expect(migrateUp(fresh.url)).rejects.toMatchObject({ code: 'MIGRATION_CHANGED', object: '0001-privacy-catalog' });
    const status = await migrationStatus(fresh.url);
    expect(status.find((s) => s.name === '0001-privacy-catalog')?.state).toBe('changed');
  });

  it('re-applies a definition whose file changed since it was applied, and only that one', async () => {
    await scalar(cycled.url, `update privacy.schema_migration set checksum = 'old' where name = 'sql/040-classification.sql'`);
    expect(await migrateUp(cycled.url)).toEqual({ versioned: [], repeatable: ['sql/040-classification.sql'] });
  });
});
