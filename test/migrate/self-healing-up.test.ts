import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateUp, migrationStatus } from '../../src/migrate/migrator.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';
import { query, useTheToolkit, value } from './toolkit-in-use.ts';

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/integritet.js', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** What the application's role reads through the masked view in tenant 1 (its ids), or its error. */
async function appRead(url: string): Promise<string> {
  return query<{ ids: string }>(url, `begin; set local role privacy_view_owner; select privacy.set_tenant('1');
                                      select string_agg(id::text, ',' order by id) as ids from masked.member`)
    .then((rows) => rows[0]!.ids, (error: Error) => error.message);
}

describe('migrate up repairs what is missing or changed, and status says what it is', () => {
  let db: TestDatabase;
  let readsBefore: string;
  beforeAll(async () => {
    db = await createScratchDatabase();
    await migrateUp(db.url);
    await useTheToolkit(db.url);
    readsBefore = await appRead(db.url);
    // What a half-done uninstall or a DBA's slip leaves: a trigger, a view, a grant and a function body gone.
    await query(db.url, `
      drop trigger hidden_row_insert on privacy.restricted_row;
      drop view privacy.overdue_subject_request;
      revoke select on privacy.hidden_row from privacy_view_owner;
      create or replace function privacy.current_tenant() returns text language sql stable as $$ select '1' $$;`);
  }, 60_000);

  it('migrate status names every missing or changed object and the definition that makes it, and exits 1', async () => {
    const damaged = (await migrationStatus(db.url)).filter((s) => s.state === 'damaged');
    const problems = damaged.flatMap((s) => s.problems ?? []);
    expect(problems).toEqual(expect.arrayContaining([
      'trigger hidden_row_insert on privacy.restricted_row missing',
      'view privacy.overdue_subject_request missing',
      'privileges on privacy.hidden_row differs',
      'function privacy.current_tenant() differs',
    ]));
    expect(damaged.map((s) => s.name)).toEqual(expect.arrayContaining(['sql/415-hidden-rows.sql', 'sql/450-subject-requests.sql']));
    const run = cli(['migrate', 'status', '--database-url', db.url]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('trigger hidden_row_insert on privacy.restricted_row missing (sql/415-hidden-rows.sql)');
  });

  it('integritet status says the toolkit is damaged and what is missing, and exits 1', () => {
    const run = cli(['status', '--database-url', db.url]);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('view privacy.overdue_subject_request missing');
  });

  it('migrate up applies again the definitions that make them, not every definition, and all is as installed', async () => {
    expect(await appRead(db.url)).toMatch(/permission denied/);
    const result = await migrateUp(db.url);
    expect(result.versioned).toEqual([]);
    expect(result.repeatable).toEqual(expect.arrayContaining(['sql/415-hidden-rows.sql', 'sql/450-subject-requests.sql', 'sql/205-tenant.sql']));
    expect(result.repeatable.length).toBeLessThan(10);
    expect((await migrationStatus(db.url)).filter((s) => s.state !== 'applied')).toEqual([]);
    expect(await appRead(db.url)).toBe(readsBefore);
    expect(await value(db.url, `select count(*)::int from pg_trigger where tgname = 'hidden_row_insert'`)).toBe(1);
    expect(await migrateUp(db.url)).toEqual({ versioned: [], repeatable: [] });
    expect(cli(['migrate', 'status', '--database-url', db.url]).code).toBe(0);
  });
});
