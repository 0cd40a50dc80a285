import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoginRole } from '../support/login-role.ts';
import { asRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { asText, attempt, createAttacker, expectNoSecret, protectAndReadSecrets, type Secrets } from './fixture.ts';

const db = useTestDatabase('tracking');
let secrets: Secrets;
let attacker: LoginRole;

beforeAll(async () => {
  secrets = await protectAndReadSecrets(db);
  attacker = await createAttacker(db);
});

/** Runs `sql` as the attacker inside a transaction whose tenant is the attacker's own. */
async function asOwnTenant(sql: string) {
  return asRole(attacker, async (client) => {
    await client.query('begin');
    await client.query('select privacy.set_tenant($1)', [secrets.own]);
    const outcome = await attempt(client, sql);
    await client.query('rollback');
    return outcome;
  });
}

describe('reading personal data directly', () => {
  it('direct read of the base table is refused', async () => {
    const outcome = await asOwnTenant('select * from public.customer');
    expect(outcome.error?.code).toBe('42501');
  });

  it('reading one personal column of the base table is refused', async () => {
    expect((await asOwnTenant('select email from public.customer')).error?.code).toBe('42501');
  });

  it('reading a partition of a protected partitioned table directly is refused', async () => {
    const partition = await db.pool().query(`select inhrelid::regclass::text as name from pg_inherits
                                             where inhparent = 'public.position'::regclass limit 1`);
    const outcome = await asOwnTenant(`select * from ${partition.rows[0].name}`);
    expect(outcome.error?.code).toBe('42501');
  });

  it('reading through the masked view without a tenant returns no row', async () => {
    const outcome = await asRole(attacker, (client) => attempt(client, 'select * from customer'));
    expect(outcome.error).toBeUndefined();
    expect(outcome.rows).toEqual([]);
  });

  it("the own tenant's row shows masks, and nothing raw", async () => {
    const outcome = await asOwnTenant('select * from customer');
    expect(outcome.rows).toHaveLength(1);
    const row = outcome.rows[0]!;
    expect(row.id).toBe(secrets.own);
    expect(row.email).not.toBe(secrets.ownEmail);
    expect(String(row.email)).toContain('@');
    expect(row.org_number).toBeNull();
    expect(row.street).toBeNull();
    expectNoSecret(asText(outcome), secrets);
  });

  it("filtering on another tenant's id returns nothing", async () => {
    const outcome = await asOwnTenant(`select * from customer where id = ${secrets.other}`);
    expect(outcome.rows).toEqual([]);
  });

  it("another tenant's rows cannot be reached by a join, a CTE or a subquery", async () => {
    for (const sql of [
      `select c.*, v.* from customer c join vehicle v on v.customer_id = c.id`,
      `with all_customers as (select * from customer) select * from all_customers`,
      `select * from vehicle where customer_id in (select id from customer union select ${secrets.other})`,
      `select (select count(*) from position) as positions, (select max(customer_id) from position) as max_tenant`,
    ]) {
      const outcome = await asOwnTenant(sql);
      expect(outcome.error, sql).toBeUndefined();
      expectNoSecret(asText(outcome), secrets);
      expect(asText(outcome), sql).not.toContain(`"customer_id":"${secrets.other}"`);
    }
  });

  it('a join from the masked view to the base table is refused', async () => {
    const outcome = await asOwnTenant('select m.id, b.email from customer m join public.customer b using (id)');
    expect(outcome.error?.code).toBe('42501');
  });

  it('reading the raw value back through a write with RETURNING shows only the mask', async () => {
    const outcome = await asOwnTenant(`update customer set country = country where id = ${secrets.own} returning *`);
    expect(outcome.rows).toHaveLength(1);
    expectNoSecret(asText(outcome), secrets);
  });

  it('precise positions are never shown, only rounded ones', async () => {
    const outcome = await asOwnTenant('select lat, lon from position order by id limit 50');
    expect(outcome.rows.length).toBeGreaterThan(0);
    for (const row of outcome.rows) {
      expect(Math.abs((row.lat as number) * 100 - Math.round((row.lat as number) * 100))).toBeLessThan(1e-6);
    }
    expectNoSecret(asText(outcome), secrets);
  });

  it('the privacy catalog, holds and ledger are not readable', async () => {
    for (const table of ['privacy.column_rule', 'privacy.hold', 'privacy.ledger', 'privacy.enforcement']) {
      expect((await asOwnTenant(`select * from ${table}`)).error?.code, table).toBe('42501');
    }
  });

  it('COPY of the base table to stdout is refused', async () => {
    expect((await asOwnTenant('copy public.customer to stdout')).error?.code).toBe('42501');
  });

  it('COPY (query over the masked view) TO STDOUT as the restricted login yields masks only', () => {
    const out = execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', attacker.url], {
      encoding: 'utf8',
      input: `begin;\nselect privacy.set_tenant('${secrets.own}') \\g /dev/null\ncopy (select * from customer) to stdout;\ncommit;\n`,
    });
    expect(out).toContain(secrets.own);
    expectNoSecret(out, secrets);
  });

  it('a cursor over the base table is refused, one over the view shows masks', async () => {
    const outcome = await asRole(attacker, async (client) => {
      await client.query('begin');
      await client.query('select privacy.set_tenant($1)', [secrets.own]);
      const base = await attempt(client, 'declare raw cursor for select * from public.customer');
      await client.query('rollback');
      await client.query('begin');
      await client.query('select privacy.set_tenant($1)', [secrets.own]);
      await client.query('declare masked_rows cursor for select * from customer');
      const fetched = await client.query('fetch all from masked_rows');
      await client.query('rollback');
      return { base, fetched: fetched.rows };
    });
    expect(outcome.base.error?.code).toBe('42501');
    expect(outcome.fetched).toHaveLength(1);
    expectNoSecret(JSON.stringify(outcome.fetched), secrets);
  });
});
