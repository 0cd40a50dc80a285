import { beforeAll, describe, expect, it } from 'vitest';
import { UnknownObjectError } from '../../src/errors/privacy-error.ts';
import { failureOf } from './retention-fixtures.ts';
import { asRole, createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

beforeAll(async () => {
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text);
    create table public.invoice (id bigint primary key, customer_id bigint references public.customer,
                                 issued_on date, fiscal_year_end date, billing_name text);
    insert into public.customer values (1, 'A'), (2, 'B');
    insert into public.invoice values (1, 1, '2024-03-01', '2024-12-31', 'A'), (2, 2, '2010-03-01', '2010-12-31', 'B'),
                                      (3, 2, null, '2010-12-31', 'B');
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.link_subject('customer', 'invoice', 'customer_id');
    select privacy.set_retention('invoice', anchor => 'issued_on', keep => '1 year', action => 'anonymize',
                                 minimum => 'bookkeeping', minimum_anchor => 'fiscal_year_end', time_zone => 'Europe/Stockholm');`);
});

async function retentionOf(key: string) {
  const { rows } = await db.pool().query(`select source, detail, kept_until::text, governs from privacy.retention_of('invoice', $1)`, [key]);
  return rows;
}

describe('until when a row is kept, and why', () => {
  it('the latest of policy and statutory minimum governs', async () => {
    expect(await retentionOf('1')).toEqual([
      { source: 'policy', detail: 'anonymize 1 year after issued_on', kept_until: '2025-02-28', governs: false },
      { source: 'minimum', detail: 'bookkeeping (Bokföringslagen (1999:1078) 7 kap. 2 §; SFS 1999:1078 as amended up to SFS 2023:1027)',
        kept_until: '2031-12-31', governs: true },
    ]);
  });

  it('a debt hold on the linked customer keeps it longer; an open-ended legal claim for good', async () => {
    await db.pool().query(`select privacy.place_debt_hold('customer', '2', arose_on => '2026-01-15', consumer => false)`);
    const withDebt = await retentionOf('2');
    expect(withDebt.find((r) => r.governs)).toMatchObject({ source: 'hold', kept_until: '2036-01-15' });
    await db.pool().query(`select privacy.place_hold('customer', '2', 'legal_claim', review_on => '2027-06-01')`);
    const withClaim = await retentionOf('2');
    expect(withClaim.find((r) => r.governs)).toMatchObject({ source: 'hold', kept_until: null, detail: expect.stringMatching(/^legal_claim hold \d+ on customer \(review on 2027-06-01\)$/) });
    expect(withClaim.filter((r) => r.source === 'hold')).toHaveLength(2);
  });

  it('a row whose anchor is not set is kept with no end yet', async () => {
    expect((await retentionOf('3')).find((r) => r.source === 'policy')).toEqual(
      { source: 'policy', detail: 'anonymize 1 year after issued_on (not set yet)', kept_until: null, governs: true });
  });

  it('an unknown row, table or key shape is a clear error', async () => {
    expect(await failureOf(db.pool(), `select * from privacy.retention_of('invoice', '99')`)).toMatchObject({ code: 'PV306' });
    expect(await failureOf(db.pool(), `select * from privacy.retention_of('invoice', 'x')`)).toMatchObject({ code: 'PV011' });
    expect(await failureOf(db.pool(), `select * from privacy.retention_of('invoice', '1', '2')`)).toMatchObject({ code: 'PV011' });
    const unknown = await failureOf(db.pool(), `select * from privacy.retention_of('invoices', '1')`);
    expect(unknown).toBeInstanceOf(UnknownObjectError);
    expect(await failureOf(db.pool(), `select * from privacy.retention_of('customer', '1')`)).toMatchObject({ code: 'PV305' });
  });

  it('privacy_admin members may ask; the sweeper may not', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      expect((await client.query(`select * from privacy.retention_of('invoice', '1')`)).rows).toHaveLength(2);
    });
    const sweeper = await createLoginRole(db, { memberOf: ['privacy_sweeper'] });
    await asRole(sweeper, async (client) => {
      expect(await failureOf(client, `select * from privacy.retention_of('invoice', '1')`)).toMatchObject({ code: '42501' });
    });
  });
});
