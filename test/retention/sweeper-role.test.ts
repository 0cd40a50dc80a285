import { beforeAll, describe, expect, it } from 'vitest';
import { AccessDeniedError } from '../../src/errors/privacy-error.ts';
import { actedRows, failureOf, sweepToEnd } from './retention-fixtures.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');
let sweeper: LoginRole;

beforeAll(async () => {
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text, email text, contract_end date);
    insert into public.customer select g, 'Customer ' || g, 'c' || g || '@example.se', current_date - 1000 + g
      from generate_series(1, 50) g;
    select privacy.set_retention('customer', anchor => 'contract_end', keep => '2 years', action => 'anonymize');`);
  sweeper = await createLoginRole(db, { memberOf: ['privacy_sweeper'] });
});

describe('a privacy_sweeper login runs sweeps and nothing else', () => {
  it('can see the schedules, count what a sweep would do, and sweep', async () => {
    await asRole(sweeper, async (client) => {
      expect((await client.query('select * from privacy.sweep_schedules()')).rows).toEqual([
        { table_name: 'public.customer', schedule: '0 3 * * *', time_zone: 'UTC' },
      ]);
      const dry = await client.query(`select relation, action, row_count::int from privacy.sweep('customer', dry_run => true)`);
      expect(dry.rows).toEqual([{ relation: 'public.customer', action: 'anonymize', row_count: 50 }]);
      const lines = await sweepToEnd(client, 'customer');
      expect(actedRows(lines)).toBe(50);
      await client.query('call privacy.sweep_all()');
    });
    const { rows } = await db.pool().query(`select count(*)::int as n from public.customer where name is null`);
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it.each([
    ['read the personal columns of a swept table', 'select name, email from public.customer'],
    ['read any column of it', 'select id from public.customer'],
    ['change its rows', `update public.customer set name = 'x'`],
    ['declare or change a policy', `select privacy.set_retention('customer', 'contract_end', '1 day', 'delete')`],
    ['drop a policy', `select privacy.drop_retention('customer')`],
    ['change the options of a policy', `select privacy.set_retention_options('customer', expired_partitions => 'detach')`],
    ['place a hold', `select privacy.place_hold('customer', '1', 'custom', until => current_date)`],
    ['release a hold', 'select privacy.release_hold(1)'],
    ['ask until when a row is kept', `select * from privacy.retention_of('customer', '1')`],
    ['read the catalog', 'select * from privacy.retention_policy'],
    ['read the ledger', 'select * from privacy.ledger'],
    ['read the sweep queue', 'select * from privacy.retention_pending'],
    ['write the sweep state', 'update privacy.sweep_state set done_below = null'],
    ['call a sweep unit directly', `select privacy.sweep_unit('public', 'customer', 10, null, null)`],
    ['generate guards', `select privacy.install_retention_guards('public', 'customer')`],
    ['build sweep SQL', `select privacy.retention_plan('public', 'customer')`],
  ])('cannot %s', async (_what, sql) => {
    await asRole(sweeper, async (client) => {
      const error = await failureOf(client, sql);
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error).toMatchObject({ code: '42501' });
    });
  });

  it('cannot sweep a table that has no policy', async () => {
    await db.pool().query('create table public.other (id int primary key, secret text)');
    await asRole(sweeper, async (client) => {
      expect(await failureOf(client, `select * from privacy.sweep('other')`)).toMatchObject({ code: 'PV305' });
    });
  });
});

describe('the sweep flag is no way past the guards', () => {
  it('an application setting privacy.sweeping itself still cannot refill anonymized columns', async () => {
    const app = await createLoginRole(db);
    await db.pool().query(`grant usage on schema public to ${app.name}; grant select, update on public.customer to ${app.name}`);
    await asRole(app, async (client) => {
      await client.query(`set privacy.sweeping = 'on'`);
      const id = (await client.query('select id from public.customer where name is null limit 1')).rows[0].id;
      expect(await failureOf(client, `update public.customer set name = 'back' where id = $1`, [id])).toMatchObject({ code: 'PV302' });
    });
  });
});
