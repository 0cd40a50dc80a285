import { beforeAll, describe, expect, it } from 'vitest';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';
import { query, useTheToolkit, value } from '../migrate/toolkit-in-use.ts';

/** The rows the application reads through a masked view in tenant 1, as the view's owner reads them for it. */
async function appReads(url: string, view: string): Promise<Record<string, unknown>[]> {
  return query(url, `begin; set local role privacy_view_owner; select privacy.set_tenant('1');
                     select * from masked.${view} order by id`);
}

async function catalogFindings(url: string): Promise<string[]> {
  const rows = await query<{ f: string }>(url, `select check_name || ' ' || object as f from privacy.verify()
                                               where check_name like 'catalog\\_%' or check_name like 'masked_view%' order by 1`);
  return rows.map((r) => r.f);
}

describe('a protected table renamed keeps its rules (superuser install: the event trigger follows)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase();
    await migrateUp(db.url);
    await useTheToolkit(db.url);
  }, 60_000);

  it('ALTER TABLE … RENAME: the masked view, the masks, the tenant filter and the restriction follow the table', async () => {
    const before = await appReads(db.url, 'member');
    expect(before.map((r) => r.id)).not.toContain('1');  // restricted
    expect(before[0]!.name).toMatch(/^\*+$/);
    await query(db.url, `alter table public.member rename to person`);
    expect(await value(db.url, `select to_regclass('masked.member') is null and to_regclass('masked.person') is not null`)).toBe(true);
    expect(await appReads(db.url, 'person')).toEqual(before);
    expect(await query(db.url, `select distinct table_name from privacy.column_rule where schema_name = 'public'`))
      .toEqual([{ table_name: 'person' }]);
    expect(await value(db.url, `select count(*)::int from privacy.hidden_row where table_name = 'person'`)).toBe(1);
    expect(await catalogFindings(db.url)).toEqual([]);
    expect(await value(db.url, `select count(*)::int from privacy.ledger where action = 'protected_table.update'`)).toBe(1);
  });

  it('RENAME COLUMN: the column keeps its mask under its new name, and the renamed tenant column still filters', async () => {
    await query(db.url, `alter table public.person rename column name to full_name`);
    await query(db.url, `alter table public.person rename column tenant to club`);
    const rows = await appReads(db.url, 'person');
    expect(rows[0]).toHaveProperty('full_name');
    expect(rows[0]!.full_name).toMatch(/^\*+$/);
    expect(rows.map((r) => r.club)).toEqual(rows.map(() => 1));
    expect(await value(db.url, `select tenant_column from privacy.protected_table where table_name = 'person'`)).toBe('club');
    expect(await catalogFindings(db.url)).toEqual([]);
  });

  it('SET SCHEMA: the rules follow the table into its new schema', async () => {
    const before = await appReads(db.url, 'person');
    await query(db.url, `create schema club; alter table public.person set schema club`);
    expect(await appReads(db.url, 'person')).toEqual(before);
    expect(await query(db.url, `select distinct schema_name from privacy.column_rule`)).toEqual([{ schema_name: 'club' }]);
    expect(await catalogFindings(db.url)).toEqual([]);
    await query(db.url, `alter table club.person set schema public`);
  });

  it('an ALTER that changes nothing in the view leaves the event trigger on for the next ALTER of the same transaction', async () => {
    await query(db.url, `begin;
      alter table public.person alter column club set statistics 200;
      alter table public.person add column diagnosis text;
      commit;`);
    const rows = await appReads(db.url, 'person');
    expect(rows[0]).toHaveProperty('diagnosis', null);
    expect(await catalogFindings(db.url)).toEqual([]);
  });
});

describe('a protected table renamed without the event trigger (non-superuser install)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase();
    await migrateUp(db.url);
    await query(db.url, `alter event trigger privacy_sync_after_ddl disable`);
    await useTheToolkit(db.url);
  }, 60_000);

  it('verify names the rules left on the old names, and sync moves them to the new ones', async () => {
    const before = await appReads(db.url, 'member');
    await query(db.url, `alter table public.member rename to person; alter table public.person rename column name to full_name`);
    const findings = await catalogFindings(db.url);
    expect(findings).toContain('catalog_table_missing public.member');
    expect(await value(db.url, `select count(*)::int from privacy.verify() where severity = 'high' and check_name like 'catalog\\_%'`))
      .toBeGreaterThan(0);
    // Meanwhile the old view still reads the renamed table, masked: a view follows its table's OID.
    expect((await appReads(db.url, 'member')).map((r) => r.id)).toEqual(before.map((r) => r.id));

    await query(db.url, `select * from privacy.sync()`);
    const after = await appReads(db.url, 'person');
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    expect(after[0]!.full_name).toMatch(/^\*+$/);
    expect(await catalogFindings(db.url)).toEqual([]);
  });

  it('verify names a rule whose table was dropped', async () => {
    await query(db.url, `create table public.gone (id int primary key, secret text);
                         select privacy.classify_column('gone', 'secret', 'personal', mask => 'redact');
                         drop table public.gone`);
    expect(await catalogFindings(db.url)).toContain('catalog_table_missing public.gone');
  });
});
