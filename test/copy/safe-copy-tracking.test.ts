// integritet copy on the tracking schema at scale 1 (100k positions) with the reference policy:
// a full copy and a 10% subset of customers, each checked with canaries and every foreign key.
//
// Canaries: every personal text column the policy declares holds CANARY in some rows where the
// schema's own CHECK lets it; columns whose CHECK refuses such a value (identifiers under a
// format check) are checked instead value by value: no raw value of the source may appear in
// the same column of the copy.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { installTrackingSchema, seedTracking } from '../../examples/tracking/seed.ts';
import { copyDatabase } from '../../src/copy/copy-database.ts';
import { applyReferencePolicy } from '../subjects/subject-fixtures.ts';
import { createScratchDatabase, useTestDatabase } from '../support/test-database.ts';

const source = useTestDatabase('base');
const asOf = new Date('2026-06-30T12:00:00Z');
const personalText: { table: string; column: string; canary: boolean }[] = [];

beforeAll(async () => {
  const client = new pg.Client(source.url);
  await client.connect();
  try {
    await installTrackingSchema(client);
    await seedTracking(client, { scale: 1, seed: 1, asOf });
  } finally {
    await client.end();
  }
  await applyReferencePolicy(source);
  const db = source.pool();
  const { rows } = await db.query<{ table_name: string; column_name: string }>(`
    select r.table_name, r.column_name from privacy.column_rule r
    join privacy.category k on k.name = r.category
    join information_schema.columns c on c.table_schema = r.schema_name and c.table_name = r.table_name and c.column_name = r.column_name
    where k.personal and c.data_type in ('text', 'character varying')
      -- Kept by declaration, as sweeps keep them: the strategy keep, and what retention reads.
      and r.anonymize_strategy is distinct from 'keep'
      and not exists (select from privacy.retention_policy p where p.schema_name = r.schema_name and p.table_name = r.table_name
                        and (r.column_name in (p.anchor_column, p.minimum_anchor_column) or p.filter ? r.column_name))
    order by 1, 2`);
  for (const { table_name: table, column_name: column } of rows) {
    const client = await db.connect();
    try {
      await client.query(`update public.${table} set ${column} = 'CANARY-' || id where id in (select id from public.${table} order by id limit 5)`);
      personalText.push({ table, column, canary: true });
    } catch {
      personalText.push({ table, column, canary: false });
    } finally {
      client.release();
    }
  }
  expect(personalText.filter((c) => c.canary).length).toBeGreaterThan(5);
}, 300_000);

async function leaks(target: pg.Pool): Promise<string[]> {
  const found: string[] = [];
  for (const { table, column, canary } of personalText) {
    if (canary) {
      const { rowCount } = await target.query(`select 1 from public.${table} where ${column} like '%CANARY%' limit 1`);
      if ((rowCount ?? 0) > 0) found.push(`${table}.${column}`);
    } else {
      const raw = await source.pool().query(`select array_agg(distinct ${column}) as v from public.${table}`);
      const { rows } = await target.query(`select count(*)::int as n from public.${table} where ${column} = any ($1)`, [raw.rows[0].v]);
      if (rows[0].n > 0) found.push(`${table}.${column} (${rows[0].n} raw values)`);
    }
  }
  return found;
}

async function foreignKeysHold(target: pg.Pool): Promise<void> {
  const { rows } = await target.query(`
    select count(*) filter (where contype = 'f')::int as foreign_keys, count(*) filter (where not convalidated)::int as unchecked
    from pg_constraint k join pg_class c on c.oid = k.conrelid where c.relnamespace = 'public'::regnamespace`);
  expect(rows[0].foreign_keys).toBeGreaterThan(8);
  expect(rows[0].unchecked).toBe(0);
}

describe('integritet copy on the tracking schema at scale 1', () => {
  it('copies everything lawful without a personal value, every foreign key valid', async () => {
    const target = await createScratchDatabase();
    const result = await copyDatabase(source.url, { to: target.url, asOf, jobs: 2 });
    expect(await leaks(target.pool())).toEqual([]);
    await foreignKeysHold(target.pool());
    const positions = result.tables.find((t) => t.table === 'public."position"')?.rows ?? 0;
    expect(positions).toBeGreaterThan(10_000);
  }, 300_000);

  it('copies a 10% subset of customers with what they own and need, and nothing of the others', async () => {
    const target = await createScratchDatabase();
    await copyDatabase(source.url, { to: target.url, asOf, subsets: { 'public.customer': { percent: 10 } } });
    expect(await leaks(target.pool())).toEqual([]);
    await foreignKeysHold(target.pool());
    const { rows } = await target.pool().query(`
      select (select count(*)::int from customer) as customers,
             (select count(*)::int from "position" p where not exists (select from customer c where c.id = p.customer_id)) as strays`);
    expect(rows[0].customers).toBeGreaterThan(0);
    expect(rows[0].customers).toBeLessThan(20);
    expect(rows[0].strays).toBe(0);
  }, 300_000);
});
