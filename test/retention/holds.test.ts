import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidDeclarationError, UnknownObjectError } from '../../src/errors/privacy-error.ts';
import { actedRows, failureOf, keptRows, retentionFootprint, sweepToEnd } from './retention-fixtures.ts';
import { asRole, createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

async function sweep(table: string) {
  const client = await db.pool().connect();
  try {
    return await sweepToEnd(client, table);
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.customer (id bigint primary key, kind text not null, name text, contract_end date);
    create table public.trip (id bigint primary key, customer_id bigint not null references public.customer,
                              ended_at timestamptz not null, driver text);
    insert into public.customer select g, case when g % 2 = 0 then 'consumer' else 'company' end, 'Customer ' || g, null
      from generate_series(1, 6) g;
    insert into public.trip select g, 1 + g % 6, now() - interval '400 days' - g * interval '1 hour', 'Driver ' || g
      from generate_series(1, 60) g;
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.link_subject('customer', 'trip', 'customer_id');
    select privacy.classify_column('trip', 'customer_id', 'not_personal');
    select privacy.set_retention('trip', anchor => 'ended_at', keep => '1 year', action => 'delete');`);
});

describe('debt holds (preskriptionslagen)', () => {
  it('last ten years from when the claim arose, three for a consumer', async () => {
    const { rows } = await db.pool().query(`
      select privacy.place_debt_hold('customer', '1', arose_on => '2025-03-15', consumer => false) as company,
             privacy.place_debt_hold('customer', '2', arose_on => '2025-03-15', consumer => true, note => 'Owes for May') as consumer`);
    const holds = await db.pool().query(`select id, until::text, consumer, claim_arose_on::text from privacy.hold where id in ($1, $2) order by id`,
      [rows[0].company, rows[0].consumer]);
    expect(holds.rows).toEqual([
      { id: rows[0].company, until: '2035-03-15', consumer: false, claim_arose_on: '2025-03-15' },
      { id: rows[0].consumer, until: '2028-03-15', consumer: true, claim_arose_on: '2025-03-15' },
    ]);
  });

  it('a reminder, payment or acknowledgement starts a new period from its day; an earlier one never shortens it', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      const id = (await client.query(`select id from privacy.hold where subject_id = '2' and reason = 'debt'`)).rows[0].id;
      const restart = async (event: string, on: string) =>
        (await client.query(`select privacy.record_debt_event($1, $2, $3::date)::text as until`, [id, event, on])).rows[0].until;
      expect(await restart('reminder', '2026-01-10')).toBe('2029-01-10');
      expect(await restart('payment', '2025-12-01')).toBe('2029-01-10');
      expect(await restart('acknowledgement', '2026-02-01')).toBe('2029-02-01');
      const events = await client.query(`select event, occurred_on::text, until_after::text, recorded_by from privacy.hold_event
                                         where hold_id = $1 order by id`, [id]);
      expect(events.rows).toEqual([
        { event: 'reminder', occurred_on: '2026-01-10', until_after: '2029-01-10', recorded_by: admin.name },
        { event: 'payment', occurred_on: '2025-12-01', until_after: '2029-01-10', recorded_by: admin.name },
        { event: 'acknowledgement', occurred_on: '2026-02-01', until_after: '2029-02-01', recorded_by: admin.name },
      ]);
      const ledger = await client.query(`select action, detail from privacy.ledger where object = $1 and action like 'hold.%' order by id`, [`hold ${id}`]);
      expect(ledger.rows.map((r) => r.action)).toContain('hold.reminder');
      for (const { detail } of ledger.rows) {
        expect(JSON.stringify(detail)).not.toMatch(/Owes|subject_id/);
      }
    });
  });

  it.each([
    ['an unknown event', `select privacy.record_debt_event((select min(id) from privacy.hold), 'phone call')`, 'PV011', InvalidDeclarationError],
    ['an event in the future', `select privacy.record_debt_event((select min(id) from privacy.hold), 'payment', current_date + 1)`, 'PV011', InvalidDeclarationError],
    ['an event on a hold that does not exist', `select privacy.record_debt_event(424242, 'payment')`, 'PV012', UnknownObjectError],
    ['a debt hold on a subject that does not exist', `select privacy.place_debt_hold('customer', '999', current_date, false)`, 'PV007', UnknownObjectError],
    ['a debt hold on an unknown subject type', `select privacy.place_debt_hold('driver', '1', current_date, false)`, 'PV007', UnknownObjectError],
    ['a claim arising in the future', `select privacy.place_debt_hold('customer', '1', current_date + 1, false)`, 'PV011', InvalidDeclarationError],
    ['a debt hold without consumer or not', `select privacy.place_debt_hold('customer', '1', current_date, null)`, 'PV011', InvalidDeclarationError],
  ] as const)('%s is refused and changes nothing', async (_what, sql, code, errorClass) => {
    const before = await retentionFootprint(db.pool());
    const error = await failureOf(db.pool(), sql);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ code });
    expect(await retentionFootprint(db.pool())).toBe(before);
  });

  it('only a debt hold is restarted by debt events', async () => {
    const { rows } = await db.pool().query(`select privacy.place_hold('customer', '3', 'custom', until => current_date + 10) as id`);
    expect(await failureOf(db.pool(), `select privacy.record_debt_event($1, 'payment')`, [rows[0].id])).toMatchObject({ code: 'PV011' });
    await db.pool().query(`select privacy.release_hold($1)`, [rows[0].id]);
  });
});

describe('holds keep rows from sweeps', () => {
  it('rows of held subjects are kept, with the hold as the reason, the rest go', async () => {
    const lines = await sweep('trip');
    // Customers 1 and 2 are under debt holds.
    expect(keptRows(lines)).toEqual({ 'hold:debt': 20 });
    expect(actedRows(lines)).toBe(40);
  });

  it('a legal claim without end keeps rows past its review date until released', async () => {
    await db.pool().query(`insert into public.trip select 100 + g, 5, now() - interval '400 days', 'Driver' from generate_series(1, 3) g`);
    const { rows } = await db.pool().query(`select privacy.place_hold('customer', '5', 'legal_claim', review_on => current_date - 1) as id`);
    expect(keptRows(await sweep('trip'))).toMatchObject({ 'hold:legal_claim': 3 });
    expect(actedRows(await sweep('trip'))).toBe(0);
    await db.pool().query(`select privacy.release_hold($1)`, [rows[0].id]);
    expect(actedRows(await sweep('trip'))).toBe(3);
  });

  it('a custom hold ends on its own on its last day', async () => {
    await db.pool().query(`
      insert into public.trip select 200 + g, 3, now() - interval '400 days', 'Driver' from generate_series(1, 2) g;
      select privacy.place_hold('customer', '3', 'custom', until => current_date - 1, note => 'ended yesterday');`);
    expect(actedRows(await sweep('trip'))).toBe(2);
  });
});
