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

// Restricted rows are left out by the table's row-level security policy (sql/200-masked-views.sql).
const viewReads = (table: string) => `select exists (select from pg_depend d join pg_policy p on p.oid = d.objid
  where p.polrelid = 'public.member'::regclass and p.polname = 'privacy_rows' and d.refobjid = to_regclass('${table}')) as uses`;
const viewUsesRestriction = viewReads('privacy.hidden_row');
const ownerReadsRestrictions = `select has_column_privilege('privacy_view_owner', 'privacy.restricted_row', 'row_id', 'select') as row_id,
  has_column_privilege('privacy_view_owner', 'privacy.restricted_row', 'subject_id', 'select') as subject_id`;

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

describe('migration 0007', () => {
  it('the masked views read the keys of restricted rows from privacy.hidden_row, and their owner nothing of privacy.restricted_row', async () => {
    expect(await query(viewUsesRestriction)).toEqual([{ uses: true }]);
    expect(await query(viewReads('privacy.restricted_row'))).toEqual([{ uses: false }]);
    expect(await query(ownerReadsRestrictions)).toEqual([{ row_id: false, subject_id: false }]);
    expect(await query(`select schema_name, table_name, row_id, refs from privacy.hidden_row`))
      .toEqual([{ schema_name: 'public', table_name: 'member', row_id: '1', refs: 1 }]);
  });

  it('down makes the views read privacy.restricted_row again, hiding the same rows, and up brings privacy.hidden_row back', async () => {
    await migrateDown(db.url, { to: '0007-hidden-rows' });
    expect(await query(`select to_regclass('privacy.hidden_row') is null as gone`)).toEqual([{ gone: true }]);
    expect(await query(viewReads('privacy.restricted_row'))).toEqual([{ uses: true }]);
    expect(await query(ownerReadsRestrictions)).toEqual([{ row_id: true, subject_id: false }]);
    const hidden = `begin; select privacy.set_tenant('1'); select array_agg(id order by id) as ids from masked.member; commit`;
    const idsOf = async () => {
      const client = new pg.Client(db.url);
      await client.connect();
      try {
        await client.query(`set role privacy_view_owner`);
        const results = (await client.query(hidden)) as unknown as pg.QueryResult[];
        return results[2]!.rows[0].ids;
      } finally {
        await client.end();
      }
    };
    expect(await idsOf()).toEqual(['2', '3', '4', '5']);
    // Restrictions written meanwhile count once it is back.
    await query(`select * from privacy.restrict_subject('member', '2', 'test')`);
    await migrateUp(db.url);
    expect(await query(viewUsesRestriction)).toEqual([{ uses: true }]);
    expect(await query(ownerReadsRestrictions)).toEqual([{ row_id: false, subject_id: false }]);
    expect(await idsOf()).toEqual(['3', '4', '5']);
    expect(await query(`select severity, check_name from privacy.verify() where check_name like 'masked_view%'`)).toEqual([]);
  });
});

describe('migration 0005', () => {
  it('masked views leave out restricted rows once it is installed', async () => {
    expect(await query(viewUsesRestriction)).toEqual([{ uses: true }]);
    expect(await query(`select qual ~ 'privacy.hidden_row' as filtered from pg_policies where tablename = 'member' and policyname = 'privacy_rows'`))
      .toEqual([{ filtered: true }]);
  });

  it('down removes its tables and makes the masked views anew without them, dropping no view', async () => {
    await migrateDown(db.url, { to: '0005-subjects', force: true });
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
