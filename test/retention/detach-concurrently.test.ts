import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../../src/retention/run-sweep.ts';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

// A sweep that drops a whole expired partition used to DROP it in its own transaction: ACCESS
// EXCLUSIVE on the partitioned table, waiting behind every application read and queueing every
// later one. The runner now detaches it CONCURRENTLY (SHARE UPDATE EXCLUSIVE on the parent), and
// the SQL side drops it and writes the ledger.

const db = useTestDatabase('base');
let app: LoginRole;

async function createTrips(table: string): Promise<void> {
  await db.pool().query(`
    create table public.${table} (id bigint, customer_id bigint not null references public.customer,
                                  ended_at timestamptz not null, driver text, primary key (id, ended_at))
      partition by range (ended_at);
    create table public.${table}_2019 partition of public.${table} for values from ('2019-01-01') to ('2020-01-01');
    create table public.${table}_2020 partition of public.${table} for values from ('2020-01-01') to ('2021-01-01');
    create table public.${table}_now partition of public.${table} for values from ('2021-01-01') to ('2200-01-01');
    insert into public.${table} select g, 8 + g % 20, timestamptz '2019-01-01' + g * interval '1 hour', 'driver ' || g
      from generate_series(1, 1000) g;                                            -- all in 2019, none held
    insert into public.${table} select 1000 + g, case when g % 10 = 0 then 7 else 8 + g % 20 end,
      timestamptz '2020-01-01' + g * interval '1 hour', 'driver' from generate_series(1, 1000) g;  -- 2020, some held
    insert into public.${table} select 2000 + g, 1 + g % 30, now() - g * interval '1 minute', 'driver'
      from generate_series(1, 500) g;
    select privacy.link_subject('customer', '${table}', 'customer_id');
    select privacy.classify_column('${table}', 'customer_id', 'not_personal');
    select privacy.classify_column('${table}', 'driver', 'identifier', anonymize => 'redact');
    select privacy.set_retention('${table}', anchor => 'ended_at', keep => '1 year', action => 'delete');
    grant select, insert, update, delete on public.${table}, public.${table}_2019, public.${table}_2020, public.${table}_now to ${app.name};`);
}

beforeAll(async () => {
  app = await createLoginRole(db);
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text);
    insert into public.customer select g, 'customer ' || g from generate_series(1, 30) g;
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.place_hold('customer', '7', 'legal_claim', review_on => current_date + 30);
    grant usage on schema public to ${app.name}; grant select on public.customer to ${app.name};`);
  await createTrips('trip');
  await createTrips('ride');
});

async function one<T>(sql: string, values: unknown[] = []): Promise<T> {
  const { rows } = await db.pool().query(sql, values);
  return Object.values(rows[0] ?? {})[0] as T;
}

/** Every table-level lock the sweep's sessions hold or wait for on `parent`, polled from a third session until `stop`. */
function watchLocks(parent: string, stop: () => boolean): Promise<{ mode: string; granted: boolean }[]> {
  return (async () => {
    const seen = new Map<string, { mode: string; granted: boolean }>();
    const oid = await one<number>(`select $1::regclass::oid::int`, [parent]);
    while (!stop()) {
      const { rows } = await db.pool().query<{ mode: string; granted: boolean }>(
        `select l.mode, l.granted from pg_locks l join pg_stat_activity a on a.pid = l.pid
         where a.application_name like 'integritet%' and l.locktype = 'relation' and l.relation = $1`, [oid]);
      for (const row of rows) seen.set(`${row.mode} ${row.granted}`, row);
      await sleep(5);
    }
    return [...seen.values()];
  })();
}

describe('a sweep that retires a whole expired partition', () => {
  it('detaches it concurrently while the application reads the parent: never ACCESS EXCLUSIVE on it, the application never waits', async () => {
    const application = await app.connect();
    const appWaits: number[] = [];
    let sweeping = true;
    try {
      // The application's transaction reads the partitioned table and stays open.
      await application.query('begin');
      await application.query('select count(*) from public.trip');
      const locks = watchLocks('public.trip', () => !sweeping);
      const sweep = runSweep(db.url, { table: 'trip' }).finally(() => { sweeping = false; });
      // While the sweep waits for it, the application goes on reading and writing the table.
      for (let i = 0; i < 15; i++) {
        const started = Date.now();
        await application.query('select count(*) from public.trip where customer_id = 3');
        await application.query(`insert into public.trip values (${5000 + i}, 3, now(), 'driver')`);
        appWaits.push(Date.now() - started);
        await sleep(100);
      }
      const holdsParent = await one<boolean>(`select exists (select from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where a.application_name like 'integritet%' and l.relation = 'public.trip'::regclass and l.granted)`);
      await application.query('commit');
      const summary = await sweep;
      const seen = await locks;

      expect(seen.filter((l) => l.mode === 'AccessExclusiveLock')).toEqual([]);
      expect(holdsParent).toBe(true); // the sweep was at it while the application's transaction ran
      expect(seen).toContainEqual({ mode: 'ShareUpdateExclusiveLock', granted: true });
      expect(Math.max(...appWaits)).toBeLessThan(1000);
      // The expired partition went whole; 2020 holds rows a hold keeps, so its other rows went one by one.
      expect(await one(`select to_regclass('public.trip_2019')`)).toBeNull();
      expect(await one(`select count(*)::int from public.trip_2020`)).toBe(100);
      expect(summary.tables[0]).toMatchObject({ state: 'done', partitionRows: 1000, rows: 900 });
      const ledger = await db.pool().query(`select action, detail->>'partition' as p, detail->>'detached' as how, detail->'rows' as n
                                            from privacy.ledger where action = 'sweep.partition.drop' and object = 'public.trip'`);
      expect(ledger.rows).toEqual([{ action: 'sweep.partition.drop', p: 'public.trip_2019', how: 'concurrently', n: 1000 }]);
      const run = await one<{ dropped: unknown[] }>(`select detail->'partitions' from privacy.ledger where action = 'sweep' and object = 'public.trip'`);
      expect(run.dropped).toEqual([{ partition: 'public.trip_2019', rows: 1000 }]);
      expect(await one(`select count(*)::int from privacy.partition_retirement`)).toBe(0);
    } finally {
      sweeping = false;
      await application.end();
    }
  });

  it('finishes a detach that was interrupted half-way (FINALIZE) and then drops it', async () => {
    // The handover, then a detach that times out waiting for a reader: the partition is left pending.
    const reader = await app.connect();
    const admin = await db.pool().connect();
    try {
      await db.pool().query(`select * from privacy.partitions_to_detach('ride')`);
      await reader.query('begin');
      await reader.query('select count(*) from public.ride');
      await admin.query(`set lock_timeout = '200ms'`);
      await expect(admin.query('alter table public.ride detach partition public.ride_2019 concurrently')).rejects.toThrow(/lock timeout|canceling statement/);
      await admin.query('reset lock_timeout');
      expect(await one(`select inhdetachpending from pg_inherits where inhrelid = 'public.ride_2019'::regclass`)).toBe(true);
      expect(await one(`select state from privacy.partitions_to_detach('ride') where partition_name = 'public.ride_2019'`)).toBe('detach_pending');
      await reader.query('commit');
    } finally {
      admin.release();
      await reader.end();
    }
    const summary = await runSweep(db.url, { table: 'ride' });
    expect(summary.tables[0]).toMatchObject({ state: 'done', partitionRows: 1000 });
    expect(await one(`select to_regclass('public.ride_2019')`)).toBeNull();
    expect(await one(`select count(*)::int from privacy.ledger where action = 'sweep.partition.drop' and detail->>'partition' = 'public.ride_2019'`)).toBe(1);
  });

  it('attaches it again when rows that must stay reached it before it was detached', async () => {
    await db.pool().query(`
      create table public.trip_2018 partition of public.trip for values from ('2018-01-01') to ('2019-01-01');
      insert into public.trip values (9001, 4, '2018-06-01', 'driver');
      select * from privacy.partitions_to_detach('trip');`);
    await db.pool().query('alter table public.trip detach partition public.trip_2018 concurrently');
    await db.pool().query(`insert into public.trip_2018 values (9002, 7, '2018-06-02', 'held')`);
    const { rows } = await db.pool().query(`select * from privacy.retire_detached_partition('public.trip_2018')`);
    expect(rows).toEqual([{ action: 'attached_again', row_count: '2' }]);
    expect(await one(`select count(*)::int from public.trip where id in (9001, 9002)`)).toBe(2);
    await expect(db.pool().query(`select * from privacy.retire_detached_partition('public.customer')`))
      .rejects.toMatchObject({ code: 'PV308' });
  });
});
