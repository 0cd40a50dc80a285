import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp } from '../../src/migrate/migrator.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client(db.url);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const viewUsesRestriction = `select exists (select from pg_depend d join pg_rewrite w on w.oid = d.objid
  where w.ev_class = 'masked.member'::regclass and d.refobjid = to_regclass('privacy.restricted_row')) as uses`;

beforeAll(async () => {
  db = await createScratchDatabase();
  await migrateUp(db.url);
  await query(`
    create table public.member (id bigint primary key, tenant int not null, name text);
    insert into public.member select g, 1, 'Member ' || g from generate_series(1, 5) g;
    select privacy.classify_column('member', c, 'not_personal') from unnest(array['id', 'tenant']) c;
    select privacy.protect_table('member', tenant_column => 'tenant');
    select privacy.declare_subject_type('member', 'member', 'id');
    select * from privacy.restrict_subject('member', '1', 'test');`);
});

describe('migration 0005', () => {
  it('masked views leave out restricted rows once it is installed', async () => {
    expect(await query(viewUsesRestriction)).toEqual([{ uses: true }]);
    expect(await query(`select privacy.masked_view_sql('public', 'member') ~ 'restricted_row' as anti_join`)).toEqual([{ anti_join: true }]);
  });

  it('down removes its tables and makes the masked views anew without them, dropping no view', async () => {
    await migrateDown(db.url, { to: '0005-subjects' });
    expect(await query(`select to_regclass('privacy.restricted_row') is null as gone, to_regclass('privacy.subject_request') is null as requests_gone,
                               to_regclass('masked.member') is not null as view_kept`))
      .toEqual([{ gone: true, requests_gone: true, view_kept: true }]);
    expect(await query(`select count(*)::int as n from masked.member`)).toEqual([{ n: 0 }]);  // no tenant set: no rows, as before
    expect(await query(`select severity, check_name from privacy.verify() where check_name like 'masked_view%'`)).toEqual([]);
  });

  it('up again restores them, and verify finds nothing out of date', async () => {
    await migrateUp(db.url);
    expect(await query(viewUsesRestriction)).toEqual([{ uses: true }]);
    expect(await query(`select severity, check_name from privacy.verify() where check_name like 'masked_view%'`)).toEqual([]);
  });
});
