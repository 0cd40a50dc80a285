import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { asText, attempt, createAttacker, expectNoSecret, protectAndReadSecrets, type Secrets } from './fixture.ts';

const db = useTestDatabase('tracking');
let secrets: Secrets;
let attacker: LoginRole;

beforeAll(async () => {
  secrets = await protectAndReadSecrets(db);
  attacker = await createAttacker(db);
  // The worst case: the attacker can create functions and operators of its own.
  await db.pool().query(`create schema trap authorization "${attacker.name}"`);
});

/** Runs `work` as the attacker in a transaction of its own tenant, collecting every NOTICE. */
async function withNotices(work: (client: pg.Client) => Promise<unknown>): Promise<{ notices: string; outcome: unknown }> {
  return asRole(attacker, async (client) => {
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(`${n.message} ${n.detail ?? ''}`));
    await client.query('begin');
    await client.query('select privacy.set_tenant($1)', [secrets.own]);
    const outcome = await work(client);
    await client.query('rollback');
    return { notices: notices.join('\n'), outcome };
  });
}

describe('side channels', () => {
  it('a leaky function in WHERE never sees another tenant or a raw value', async () => {
    const { notices } = await withNotices(async (client) => {
      await client.query(`create function trap.leak(variadic text[]) returns boolean language plpgsql cost 0.0000001 as
                          $$ begin raise notice 'seen: %', $1; return true; end $$`);
      for (const sql of [
        `select * from customer where trap.leak(id::text, name, email, phone, org_number)`,
        `select * from vehicle where trap.leak(customer_id::text, registration_number, driver_name, notes)`,
        `select * from position where trap.leak(customer_id::text, lat::text, lon::text)`,
      ]) await client.query(sql);
    });
    expect(notices).toContain('seen:');
    expectNoSecret(notices, secrets);
    expect(notices).not.toMatch(new RegExp(`seen: \\{${secrets.other},`));
  });

  it('a leaky operator in WHERE never sees another tenant or a raw value', async () => {
    const { notices } = await withNotices(async (client) => {
      await client.query(`create function trap.peek(text, text) returns boolean language plpgsql cost 0.0000001 as
                          $$ begin raise notice 'peek: % %', $1, $2; return true; end $$;
                          create operator trap.=== (leftarg = text, rightarg = text, procedure = trap.peek)`);
      await client.query(`select * from customer where email operator(trap.===) 'x' and name operator(trap.===) id::text`);
    });
    expect(notices).toContain('peek:');
    expectNoSecret(notices, secrets);
  });

  it('EXPLAIN ANALYZE VERBOSE shows neither raw values nor other tenants', async () => {
    const { outcome } = await withNotices(async (client) => {
      const plans: string[] = [];
      for (const sql of [
        `select * from customer where email like '%@%'`,
        `select count(*) from position where lat > 0`,
        `select * from vehicle where registration_number = 'ABC123'`,
      ]) {
        const { rows } = await client.query(`explain (analyze, verbose, costs, buffers) ${sql}`);
        plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
      return plans.join('\n');
    });
    expectNoSecret(outcome as string, secrets);
    expect(outcome as string).not.toContain(secrets.otherEmail);
  });

  it('EXPLAIN of a query on the base table is refused', async () => {
    const { outcome } = await withNotices((client) => attempt(client, 'explain select * from public.customer'));
    expect((outcome as { error?: pg.DatabaseError }).error?.code).toBe('42501');
  });

  it('pg_stats shows no statistics (most common values, histograms) of protected tables', async () => {
    const { rows } = await db.pool().query(`select count(*)::int as n from pg_stats where tablename = 'customer'`);
    expect(rows[0].n, 'statistics exist for the owner').toBeGreaterThan(0);
    const { outcome } = await withNotices((client) => attempt(client,
      `select * from pg_stats where tablename in ('customer', 'vehicle', 'position')`));
    const result = outcome as { rows: unknown[] };
    expect(result.rows).toEqual([]);
  });

  it('pg_statistic itself is not readable', async () => {
    const { outcome } = await withNotices((client) => attempt(client, 'select * from pg_statistic'));
    expect((outcome as { error?: pg.DatabaseError }).error?.code).toBe('42501');
  });

  it('a check constraint violation does not print the stored row', async () => {
    const { outcome } = await withNotices((client) => attempt(client,
      `update customer set kind = 'pirate' where id = ${secrets.own}`));
    const result = outcome as { rows: unknown[]; error?: pg.DatabaseError };
    expect(result.error?.code).toBe('23514');
    expectNoSecret(asText(result), secrets);
  });

  it('a not-null violation does not print the stored row', async () => {
    const { outcome } = await withNotices((client) => attempt(client,
      `update customer set contract_start = null where id = ${secrets.own}`));
    const result = outcome as { rows: unknown[]; error?: pg.DatabaseError };
    expect(result.error?.code).toBe('23502');
    expectNoSecret(asText(result), secrets);
  });

  it("a unique violation against another tenant's value reveals that it exists, and nothing else", async () => {
    // What RLS cannot hide: a unique index spans all tenants, so a duplicate is refused. The
    // error must not show any stored value; the README documents the existence oracle.
    const { outcome } = await withNotices((client) => attempt(client,
      `update customer set org_number = $1 where id = ${secrets.own}`.replace('$1', `'${secrets.otherOrgNumber}'`)));
    const result = outcome as { rows: unknown[]; error?: pg.DatabaseError };
    expect(result.error?.code).toBe('23505');
    const text = asText(result).replaceAll(secrets.otherOrgNumber, '<the value the attacker typed>');
    expectNoSecret(text, secrets);
    expect(result.error?.detail ?? '').toBe('');
  });

  it("a foreign key violation naming another tenant's row reveals nothing of it", async () => {
    const { outcome } = await withNotices((client) => attempt(client,
      `insert into vehicle (customer_id, registration_number) values (${secrets.other}, 'ABC123')`));
    const result = outcome as { rows: unknown[]; error?: pg.DatabaseError };
    expect(result.error).toBeDefined();
    expectNoSecret(asText(result), secrets);
  });

  it('replaying the noise with setseed() to subtract it from noised values fails', async () => {
    const draws = await asRole(attacker, async (client) => {
      const read = async () => {
        await client.query('select setseed(0.42)');
        const { rows } = await client.query(`select privacy.mask_noise(1000::numeric, '{"absolute": 500}') as a,
                                                    privacy.mask_noise(1000::double precision, '{"ratio": 0.5}') as b`);
        return `${rows[0].a}/${rows[0].b}`;
      };
      return [await read(), await read(), await read()];
    });
    expect(new Set(draws).size).toBe(3);
  });
});

