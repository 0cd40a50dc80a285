import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

// A sweep after a hold change used to drop and re-create the table's retention guards: ACCESS
// EXCLUSIVE on the application's table (and every partition) until the sweep's unit committed,
// queueing every application statement behind it and making application transactions deadlock
// victims. The guards now read holds as data, and a sweep locks no more than the rows it changes.

const db = useTestDatabase('base');
const EXPIRED = 3000;
let app: LoginRole;

// Lock modes a sweep may hold on the application's tables: what reading and writing rows takes.
const ROW_LEVEL_MODES = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock'];

/** A partitioned table of trips linked to customers, with EXPIRED expired rows and 500 current ones. */
async function createTrips(table: string): Promise<void> {
  await db.pool().query(`
    create table public.${table} (id bigint, customer_id bigint not null references public.customer,
                                  ended_at timestamptz not null, driver text, primary key (id, ended_at))
      partition by range (ended_at);
    create table public.${table}_old partition of public.${table} for values from ('2000-01-01') to ('2024-01-01');
    create table public.${table}_new partition of public.${table} for values from ('2024-01-01') to ('2100-01-01');
    insert into public.${table} select g, 1 + g % 30, timestamptz '2020-01-01' + g * interval '1 hour', 'driver ' || g
      from generate_series(1, ${EXPIRED}) g;
    insert into public.${table} select ${EXPIRED} + g, 1 + g % 30, now() - g * interval '1 minute', 'driver'
      from generate_series(1, 500) g;
    select privacy.link_subject('customer', '${table}', 'customer_id');
    select privacy.classify_column('${table}', 'customer_id', 'not_personal');
    select privacy.classify_column('${table}', 'driver', 'identifier', anonymize => 'redact');
    select privacy.set_retention('${table}', anchor => 'ended_at', keep => '1 year', action => 'anonymize');
    grant select, update, delete on public.${table}, public.${table}_old, public.${table}_new to ${app.name};`);
}

beforeAll(async () => {
  app = await createLoginRole(db);
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text);
    insert into public.customer select g, 'customer ' || g from generate_series(1, 30) g;
    select privacy.declare_subject_type('customer', 'customer', 'id');
    grant usage on schema public to ${app.name}; grant select, update on public.customer to ${app.name};`);
  await createTrips('trip');
  await createTrips('ride');
});

/** The tables of the tree of `table` (read before a sweep: naming them while it runs could wait on its locks). */
async function treeOf(table: string): Promise<number[]> {
  const { rows } = await db.pool().query(`select relid::oid::int as oid from pg_partition_tree($1::regclass)`, [`public.${table}`]);
  return rows.map((r) => r.oid);
}

/** The table-level locks `pid` holds or waits for on these tables, seen from another connection. */
async function tableLocks(pid: number, tables: number[]): Promise<{ relation: number; mode: string; granted: boolean }[]> {
  const { rows } = await db.pool().query(
    `select l.relation::int as relation, l.mode, l.granted from pg_locks l
     where l.pid = $1 and l.locktype = 'relation' and l.relation::int = any ($2::int[]) order by 1, 2`, [pid, tables]);
  return rows;
}

describe('a sweep after a hold change', () => {
  it('takes no lock on the application\'s table stronger than its row writes, seen from another connection', async () => {
    await db.pool().query(`select privacy.place_hold('customer', '7', 'custom', until => current_date + 30)`);
    const sweeper = new pg.Client(db.url);
    await sweeper.connect();
    try {
      const pid = (await sweeper.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      const tables = await treeOf('trip');
      const seen: { relation: number; mode: string; granted: boolean }[] = [];
      for (let unit = 0; unit < 50; unit++) {
        // One unit of work in a transaction left open: what it locked is held until commit.
        await sweeper.query('begin');
        const { rows } = await sweeper.query(`select run_state from privacy.sweep('trip', batch_size => 500)`);
        seen.push(...await tableLocks(pid, tables));
        await sweeper.query('commit');
        if (rows.every((r) => r.run_state === 'done' || r.run_state === null)) break;
      }
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((l) => !ROW_LEVEL_MODES.includes(l.mode))).toEqual([]);
      // The rows of the held customer were kept, the others anonymized.
      const { rows } = await db.pool().query(`select customer_id = 7 as held, count(*)::int as n, (count(*) filter (where driver like 'driver %'))::int as named
                                               from public.trip where ended_at < '2024-01-01' group by 1 order by 1`);
      expect(rows).toEqual([{ held: false, n: EXPIRED - 100, named: 0 }, { held: true, n: 100, named: 100 }]);
    } finally {
      await sweeper.end();
    }
  });

  it('an application transaction holding rows while a sweep runs is never a deadlock victim nor queued behind the sweep', async () => {
    await db.pool().query(`select privacy.place_hold('customer', '8', 'custom', until => current_date + 30)`);
    const application = await app.connect();
    const sweeper = new pg.Client(db.url);
    await sweeper.connect();
    const appPid = (await application.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const sweeperPid = (await sweeper.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const appErrors: string[] = [];
    let queuedBehindSweep = 0;
    try {
      // The application holds a customer row, and edits expired rides while each unit of the sweep is open.
      await application.query('begin');
      await application.query('select * from public.customer where id = 3 for update');
      for (let unit = 0; unit < 50; unit++) {
        await sweeper.query('begin');
        const { rows } = await sweeper.query(`select run_state from privacy.sweep('ride', batch_size => 500)`);
        const statement = application.query(unit === 0
          ? `update public.ride set driver = 'edited' where id in (3, 33, 63)`
          : `select count(*) from public.ride where customer_id = 3`)
          .catch((error: Error) => { appErrors.push(error.message); });
        await sleep(50);
        // Waiting for a row the sweep is changing is fair; waiting for the table is not.
        const { rows: waits } = await db.pool().query(
          `select exists (select from pg_locks l where l.pid = $1 and not l.granted and l.locktype = 'relation')
                  and $2 = any (pg_blocking_pids($1)) as blocked`, [appPid, sweeperPid]);
        if (waits[0].blocked) queuedBehindSweep += 1;
        await sweeper.query('commit');
        await statement;
        if (rows.every((r) => r.run_state === 'done' || r.run_state === null)) break;
      }
      await application.query(`update public.ride set driver = 'edited again' where id = 93`).catch((error: Error) => {
        appErrors.push(error.message);
      });
      await application.query('commit');
    } finally {
      await application.end();
      await sweeper.end();
    }
    expect(appErrors).toEqual([]);
    expect(queuedBehindSweep).toBe(0);
    // The application's rows were left to it (busy: the next run takes them); rows elsewhere were swept.
    const { rows } = await db.pool().query(`select id::int, driver from public.ride where id in (3, 33, 63, 93, 2000) order by id`);
    expect(rows.slice(0, 4)).toEqual([{ id: 3, driver: 'edited' }, { id: 33, driver: 'edited' }, { id: 63, driver: 'edited' },
                                      { id: 93, driver: 'edited again' }]);
    expect(rows[4].driver).not.toBe('driver 2000');
  });
});
