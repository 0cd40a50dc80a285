import { beforeAll, describe, expect, it } from 'vitest';
import { actedRows, keptRows, keepUntil, retentionFootprint, sweepToEnd } from './retention-fixtures.ts';
import { sweepStep } from '../../src/retention/sweep-step.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('tracking');

/** The invoices of the reference schema a sweep may anonymize now: issued over a year ago, past bookkeeping, not customer 2 (held). */
const ELIGIBLE_INVOICES = `
  from public.invoice
  where issued_on < (now() at time zone 'Europe/Stockholm' - interval '1 year')
    and privacy.minimum_ends('bookkeeping', fiscal_year_end) <= (now() at time zone 'Europe/Stockholm')::date
    and customer_id <> 2`;

const POSITION_CUTOFF = '2026-04-10T00:00:00Z';

async function scalar<T>(sql: string, values: unknown[] = []): Promise<T> {
  const { rows } = await db.pool().query(sql, values);
  return Object.values(rows[0] ?? {})[0] as T;
}

describe('sweeping the tracking schema', () => {
  let eligibleInvoices: number;
  let heldInvoices: number;
  let bookkeepingInvoices: number;
  let keptInvoicesHash: string;
  let positionsBefore: { expiredInWholePartitions: number; expiredInApril: number; kept: number };

  beforeAll(async () => {
    const pool = db.pool();
    await pool.query(`
      select privacy.declare_subject_type('customer', 'customer', 'id');
      select privacy.link_subject('customer', 'invoice', 'customer_id');
      select privacy.classify_column('invoice', 'customer_id', 'not_personal');
      select privacy.classify_column('invoice', 'due_on', 'not_personal');
      select privacy.classify_column('invoice', 'amount_sek', 'not_personal');
      select privacy.classify_column('invoice', 'vat_sek', 'not_personal');
      select privacy.classify_column('invoice', 'status', 'not_personal');
      select privacy.classify_column('invoice', 'billing_name', 'identifier', anonymize => 'redact',
                                     anonymize_params => '{"replacement": "(anonymized)"}');
      select privacy.classify_column('invoice', 'billing_address', 'contact');`);
    // number is unclassified, NOT NULL and unique: privacy by default, it becomes a random UUID.
    await pool.query(`select privacy.set_retention('invoice', anchor => 'issued_on', keep => '1 year', action => 'anonymize',
                        minimum => 'bookkeeping', minimum_anchor => 'fiscal_year_end', time_zone => 'Europe/Stockholm')`);
    const keep = await keepUntil(pool, POSITION_CUTOFF);
    await pool.query(`select privacy.set_retention('position', anchor => 'recorded_at', keep => $1, action => 'delete')`, [keep]);
    // Customer 2 owes money: everything linked to them is held, for ten years (longer than any
    // of their invoices must be kept for bookkeeping, so the hold is the reason reported).
    await pool.query(`select privacy.place_debt_hold('customer', '2', arose_on => current_date - 30, consumer => false,
                        note => 'Unpaid invoices of Anna Andersson')`);

    eligibleInvoices = Number(await scalar(`select count(*) ${ELIGIBLE_INVOICES}`));
    heldInvoices = Number(await scalar(`select count(*) from public.invoice
      where customer_id = 2 and issued_on < (now() at time zone 'Europe/Stockholm' - interval '1 year')`));
    bookkeepingInvoices = Number(await scalar(`select count(*) from public.invoice
      where customer_id <> 2 and issued_on < (now() at time zone 'Europe/Stockholm' - interval '1 year')
        and privacy.minimum_ends('bookkeeping', fiscal_year_end) > (now() at time zone 'Europe/Stockholm')::date`));
    keptInvoicesHash = await scalar(`select md5(string_agg(i::text, '|' order by id)) from public.invoice i
                                     where id not in (select id ${ELIGIBLE_INVOICES})`);
    positionsBefore = {
      expiredInWholePartitions: Number(await scalar(`select count(*) from public.position where recorded_at < '2026-04-01'`)),
      expiredInApril: Number(await scalar(`select count(*) from public.position where recorded_at >= '2026-04-01' and recorded_at < $1`, [POSITION_CUTOFF])),
      kept: Number(await scalar(`select count(*) from public.position where recorded_at >= $1`, [POSITION_CUTOFF])),
    };
    expect(eligibleInvoices).toBeGreaterThan(10);
    expect(heldInvoices).toBeGreaterThan(10);
    expect(bookkeepingInvoices).toBeGreaterThan(10);
    expect(positionsBefore.expiredInApril).toBeGreaterThan(50);
  });

  it('the policy call creates the anchor index a sweep reads through', async () => {
    const { rows } = await db.pool().query(`
      select i.table_name, pg_get_indexdef(format('%I.%I', i.schema_name, i.index_name)::regclass) as def
      from privacy.retention_index i order by 1`);
    expect(rows).toEqual([
      { table_name: 'invoice', def: expect.stringContaining('(issued_on, id)') },
      { table_name: 'position', def: expect.stringContaining('(recorded_at, id)') },
    ]);
  });

  it('a dry run counts rows per table, action and reason, and changes nothing', async () => {
    const before = await retentionFootprint(db.pool(), ['public.invoice', 'public.position']);
    const client = await db.pool().connect();
    try {
      const lines = await sweepStep(client, { dryRun: true });
      const count = (table: string, action: string, blockedBy: string | null) =>
        lines.filter((l) => l.table === table && l.action === action && l.blockedBy === blockedBy).reduce((n, l) => n + l.rows, 0);
      expect(count('public.invoice', 'anonymize', null)).toBe(eligibleInvoices);
      expect(count('public.invoice', 'anonymize', 'hold:debt')).toBe(heldInvoices);
      expect(count('public.invoice', 'anonymize', 'minimum:bookkeeping')).toBe(bookkeepingInvoices);
      expect(count('public."position"', 'drop_partition', null)).toBe(positionsBefore.expiredInWholePartitions);
      expect(count('public."position"', 'delete', null)).toBe(positionsBefore.expiredInApril);
    } finally {
      client.release();
    }
    expect(await retentionFootprint(db.pool(), ['public.invoice', 'public.position'])).toBe(before);
  });

  it('a sweep anonymizes what may go, keeps what the law keeps, and says so per reason', async () => {
    const client = await db.pool().connect();
    try {
      const lines = await sweepToEnd(client, 'invoice', 20);
      expect(actedRows(lines)).toBe(eligibleInvoices);
      expect(keptRows(lines)).toEqual({ 'hold:debt': heldInvoices, 'minimum:bookkeeping': bookkeepingInvoices });
      expect(lines.at(-1)?.runState).toBe('done');
    } finally {
      client.release();
    }
    const { rows } = await db.pool().query(`select billing_name, billing_address, number from public.invoice
      where id in (select id from public.invoice where issued_on < now() - interval '1 year' and customer_id = 3
                   and fiscal_year_end < '2017-01-01')`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.billing_name).toBe('(anonymized)');
      expect(row.billing_address).toBe('');           // personal, no strategy, NOT NULL: emptied
      expect(row.number).toMatch(/^[0-9a-f-]{36}$/);   // unclassified, unique: a random UUID
    }
  });

  it('rows kept by a statutory minimum or a hold are not touched', async () => {
    expect(await scalar(`select md5(string_agg(i::text, '|' order by id)) from public.invoice i
                         where billing_name <> '(anonymized)'`)).toBe(keptInvoicesHash);
  });

  it('fully expired partitions are dropped, the partly expired one is swept row by row', async () => {
    const client = await db.pool().connect();
    let lines;
    try {
      lines = await sweepToEnd(client, 'position', 100);
    } finally {
      client.release();
    }
    expect(lines.filter((l) => l.action === 'drop_partition').reduce((n, l) => n + l.rows, 0))
      .toBe(positionsBefore.expiredInWholePartitions);
    const partitions = (await db.pool().query(`select relid::regclass::text as p from pg_partition_tree('public.position') where isleaf order by 1`))
      .rows.map((r) => r.p);
    expect(partitions).toEqual(['position_default', 'position_y2026m04', 'position_y2026m05', 'position_y2026m06']);
    expect(Number(await scalar(`select count(*) from public.position where recorded_at < $1`, [POSITION_CUTOFF]))).toBe(0);
    expect(actedRows(lines)).toBe(positionsBefore.expiredInApril);
    expect(Number(await scalar(`select count(*) from public.position where recorded_at >= $1`, [POSITION_CUTOFF]))).toBe(positionsBefore.kept);
  });

  it('the ledger gets one entry per table and run, with counts and never a value', async () => {
    const { rows } = await db.pool().query(`select object, detail from privacy.ledger where action = 'sweep' order by id`);
    expect(rows.map((r) => r.object)).toEqual(['public.invoice', 'public."position"']);
    expect(rows[0].detail).toMatchObject({ action: 'anonymize', anonymized: eligibleInvoices,
      kept: { 'hold:debt': heldInvoices, 'minimum:bookkeeping': bookkeepingInvoices }, failed_batches: 0 });
    expect(rows[1].detail).toMatchObject({ action: 'delete', partitions: { dropped: expect.any(Array) } });
    const everything = (await db.pool().query(`select string_agg(detail::text, ' ') as all from privacy.ledger`)).rows[0].all as string;
    expect(everything).not.toMatch(/Anna|Andersson|Unpaid/);
    const names = (await db.pool().query(`select billing_name from public.invoice where customer_id = 2 limit 3`)).rows;
    for (const { billing_name } of names) expect(everything).not.toContain(billing_name);
  });

  it('sweeping again finds nothing to do and changes nothing', async () => {
    const before = await scalar<string>(`select md5(string_agg(i::text, '|' order by id)) from public.invoice i`);
    const client = await db.pool().connect();
    try {
      const lines = await sweepToEnd(client, 'invoice');
      expect(actedRows(lines)).toBe(0);
      expect(keptRows(lines)).toEqual({});
    } finally {
      client.release();
    }
    expect(await scalar(`select md5(string_agg(i::text, '|' order by id)) from public.invoice i`)).toBe(before);
  });

  it('a row written late with an anchor already past its keep period is swept by the next run', async () => {
    await db.pool().query(`insert into public.position (customer_id, device_id, recorded_at, lat, lon)
      select customer_id, device_id, '2026-03-05 12:00+00', 59.3, 18.1 from public.position where customer_id = 1 limit 1`);
    expect(Number(await scalar(`select count(*) from privacy.retention_pending where reason = 'late'`))).toBe(1);
    const client = await db.pool().connect();
    try {
      const lines = await sweepToEnd(client, 'position');
      expect(actedRows(lines)).toBe(1);
    } finally {
      client.release();
    }
    expect(Number(await scalar(`select count(*) from public.position where recorded_at = '2026-03-05 12:00+00'`))).toBe(0);
  });

  it('releasing the hold lets the next sweep act on what it kept', async () => {
    await db.pool().query(`select privacy.release_hold(id) from privacy.hold where released_at is null`);
    const client = await db.pool().connect();
    try {
      const lines = await sweepToEnd(client, 'invoice');
      expect(actedRows(lines)).toBe(Number(await scalar(`select count(*) from public.invoice where customer_id = 2
        and issued_on < now() - interval '1 year' and privacy.minimum_ends('bookkeeping', fiscal_year_end) <= current_date`)));
      expect(actedRows(lines)).toBeGreaterThan(0);
    } finally {
      client.release();
    }
  });
});
