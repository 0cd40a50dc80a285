import { beforeAll, describe, expect, it } from 'vitest';
import { actedRows, keptRows, sweepToEnd } from './retention-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

async function sweep(table: string) {
  const client = await db.pool().connect();
  try {
    return await sweepToEnd(client, table, 100);
  } finally {
    client.release();
  }
}

async function leaves(table: string): Promise<string[]> {
  const { rows } = await db.pool().query(`select relid::regclass::text as p from pg_partition_tree($1::regclass) where isleaf order by 1`, [table]);
  return rows.map((r) => r.p);
}

/** A table of readings partitioned by month, Jan-Jun 2020 plus the current month and a default. */
async function createReadings(table: string): Promise<void> {
  await db.pool().query(`
    create table public.${table} (id bigint, device_id bigint not null, taken_at timestamptz not null, value float8,
                                  primary key (id, taken_at)) partition by range (taken_at);
    create table public.${table}_2020_01 partition of public.${table} for values from ('2020-01-01') to ('2020-02-01');
    create table public.${table}_2020_02 partition of public.${table} for values from ('2020-02-01') to ('2020-03-01');
    create table public.${table}_2020_03 partition of public.${table} for values from ('2020-03-01') to ('2020-04-01');
    create table public.${table}_default partition of public.${table} default;
    insert into public.${table} select g, g % 5, '2020-01-01'::timestamptz + g * interval '1 hour', g
      from generate_series(0, 2000) g;
    insert into public.${table} select 10000 + g, g % 5, now() - g * interval '1 minute', g from generate_series(1, 50) g;`);
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.device (id bigint primary key, serial text);
    insert into public.device select g, 'S' || g from generate_series(0, 4) g;
    select privacy.declare_subject_type('device', 'device', 'id');`);
});

describe('partitioned tables', () => {
  it('with expired_partitions => detach, fully expired partitions are detached whole, for archiving', async () => {
    await createReadings('reading');
    await db.pool().query(`
      select privacy.set_retention('reading', anchor => 'taken_at', keep => '1 year', action => 'delete');
      select privacy.set_retention_options('reading', expired_partitions => 'detach');`);
    const lines = await sweep('reading');
    expect(lines.filter((l) => l.action === 'detach_partition').reduce((n, l) => n + l.rows, 0)).toBe(2001);
    expect(await leaves('public.reading')).toEqual(['reading_default']);
    // Still there, outside the table, for the DBA to archive.
    const { rows } = await db.pool().query(`select count(*)::int as n from public.reading_2020_02`);
    expect(rows[0].n).toBe(29 * 24);
    const ledger = await db.pool().query(`select detail->>'partition' as p from privacy.ledger where action = 'sweep.partition.detach' order by 1`);
    expect(ledger.rows.map((r) => r.p)).toEqual(['public.reading_2020_01', 'public.reading_2020_02', 'public.reading_2020_03']);
  });

  it('a partition holding a held row is not retired: its other rows go one by one', async () => {
    await createReadings('sample');
    await db.pool().query(`
      select privacy.link_subject('device', 'sample', 'device_id', unchecked => true);
      select privacy.set_retention('sample', anchor => 'taken_at', keep => '1 year', action => 'delete');
      insert into public.sample values (99999, 4, '2020-02-10', 0);
      select privacy.place_hold('device', '4', 'custom', until => current_date + 30);`);
    const lines = await sweep('sample');
    expect(await leaves('public.sample')).toEqual(['sample_2020_01', 'sample_2020_02', 'sample_2020_03', 'sample_default']);
    expect(keptRows(lines)).toEqual({ 'hold:custom': 400 + 1 });
    // No partition could go whole: every one holds rows of device 4.
    expect(lines.some((l) => l.action === 'drop_partition')).toBe(false);
    expect(actedRows(lines)).toBe(2001 - 400);
  });

  it('a partition made after the policy gets its guards when it is made', async () => {
    await db.pool().query(`create table public.sample_2020_04 partition of public.sample for values from ('2020-04-01') to ('2020-05-01')`);
    await sweep('sample');
    const { rows } = await db.pool().query(`select count(*)::int as n from pg_trigger where tgrelid = 'public.sample_2020_04'::regclass
                                             and tgname like 'privacy_retention_guard_%'`);
    expect(rows[0].n).toBe(2);
  });

  it('by default fully expired partitions are dropped: the dry run names each one first, the ledger names it after', async () => {
    await createReadings('gauge');
    await db.pool().query(`select privacy.set_retention('gauge', anchor => 'taken_at', keep => '1 year', action => 'delete')`);
    const due = await db.pool().query(`select relation, partition_name, action, row_count::int as n from privacy.sweep_partitions_due('gauge')`);
    expect(due.rows).toEqual([
      { relation: 'public.gauge', partition_name: 'public.gauge_2020_01', action: 'drop_partition', n: 31 * 24 },
      { relation: 'public.gauge', partition_name: 'public.gauge_2020_02', action: 'drop_partition', n: 29 * 24 },
      { relation: 'public.gauge', partition_name: 'public.gauge_2020_03', action: 'drop_partition', n: 2001 - 60 * 24 },
    ]);
    expect(await leaves('public.gauge')).toEqual(['gauge_2020_01', 'gauge_2020_02', 'gauge_2020_03', 'gauge_default']);
    const lines = await sweep('gauge');
    expect(lines.filter((l) => l.action === 'drop_partition').reduce((n, l) => n + l.rows, 0)).toBe(2001);
    expect(await leaves('public.gauge')).toEqual(['gauge_default']);
    // By schema and name: an OID means nothing once the table is gone.
    const ledger = await db.pool().query(`select detail->>'partition' as p from privacy.ledger where action = 'sweep.partition.drop'
                                          and object = 'public.gauge' order by 1`);
    expect(ledger.rows.map((r) => r.p)).toEqual(['public.gauge_2020_01', 'public.gauge_2020_02', 'public.gauge_2020_03']);
  });

  it('with expired_partitions => rows, partitions stay and rows are deleted one by one', async () => {
    await createReadings('meter');
    await db.pool().query(`
      select privacy.set_retention('meter', anchor => 'taken_at', keep => '1 year', action => 'delete');
      select privacy.set_retention_options('meter', expired_partitions => 'rows');`);
    const lines = await sweep('meter');
    expect(actedRows(lines)).toBe(2001);
    expect((await leaves('public.meter')).length).toBe(4);
  });
});

describe('the anchor index', () => {
  it('an index the DBA built on the anchor (concurrently, say) is used; the policy makes none, and dropping it leaves it', async () => {
    await db.pool().query(`
      create table public.visit (id bigint primary key, at timestamptz not null);
      create index visit_at_idx on public.visit (at);
      select privacy.set_retention('visit', anchor => 'at', keep => '1 year', action => 'delete');`);
    const indexes = async () => (await db.pool().query(`select indexname from pg_indexes where tablename = 'visit' order by 1`)).rows.map((r) => r.indexname);
    expect(await indexes()).toEqual(['visit_at_idx', 'visit_pkey']);
    await db.pool().query(`select privacy.drop_retention('visit')`);
    expect(await indexes()).toEqual(['visit_at_idx', 'visit_pkey']);
  });

  it('the index the policy made goes with the policy, and so do its guards', async () => {
    await db.pool().query(`
      create table public.call (id bigint primary key, ended_at timestamptz not null);
      select privacy.set_retention('call', anchor => 'ended_at', keep => '1 year', action => 'delete');`);
    const state = async () => ({
      indexes: (await db.pool().query(`select indexname from pg_indexes where tablename = 'call' order by 1`)).rows.map((r) => r.indexname),
      triggers: Number((await db.pool().query(`select count(*) from pg_trigger where tgrelid = 'public.call'::regclass and not tgisinternal`)).rows[0].count),
    });
    // No minimum and no subject: nothing can keep a row, so there is no delete guard to pay for.
    expect(await state()).toEqual({ indexes: ['call_ended_at_retention_idx', 'call_pkey'], triggers: 3 });
    await db.pool().query(`select privacy.drop_retention('call')`);
    expect(await state()).toEqual({ indexes: ['call_pkey'], triggers: 0 });
  });
});
