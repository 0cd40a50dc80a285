import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

// Every statutory period the toolkit knows (privacy.statutory_minimum), each with dated cases:
// [anchor, month the fiscal year starts in, first day the record may go]. The citations are in
// the table (citation, version, source) and repeated here; the laws' texts could not be reached
// from where these were written, so the cases follow the rule as each section states it.
const CASES: Record<string, { citation: string; cases: [string, number, string][] }> = {
  // Bokföringslagen (1999:1078) 7 kap. 2 §: to the end of the 7th calendar year after the end of
  // the calendar year in which the fiscal year ended.
  bookkeeping: {
    citation: 'Bokföringslagen (1999:1078) 7 kap. 2 §',
    cases: [
      ['2009-06-30', 7, '2017-01-01'], // the law's example: fiscal year 2008-07-01..2009-06-30
      ['2008-07-01', 7, '2017-01-01'], // first day of that fiscal year
      ['2008-10-01', 7, '2017-01-01'], // the issue: a payment date in it (was 2016-01-01)
      ['2008-06-30', 7, '2016-01-01'], // the fiscal year before ended in 2008
      ['2009-12-31', 1, '2017-01-01'], // calendar fiscal year
      ['2009-01-01', 1, '2017-01-01'],
      ['2012-02-29', 1, '2020-01-01'], // leap day
      ['2012-02-29', 3, '2020-01-01'], // last day of fiscal year 2011-03-01..2012-02-29
      ['2012-03-01', 3, '2021-01-01'], // first day of fiscal year 2012-03-01..2013-02-28
      ['2009-12-31', 5, '2018-01-01'], // fiscal year 2009-05-01..2010-04-30
      ['2010-01-31', 2, '2018-01-01'], // fiscal year 2009-02-01..2010-01-31
      ['2024-02-29', 9, '2032-01-01'], // fiscal year 2023-09-01..2024-08-31
    ],
  },
  // Preskriptionslag (1981:130) 2 § första stycket: ten years from when the claim arose.
  debt_limitation: {
    citation: 'Preskriptionslag (1981:130) 2 § första stycket',
    cases: [
      ['2020-03-15', 1, '2030-03-15'], ['2020-02-29', 1, '2030-02-28'], ['2016-12-31', 1, '2026-12-31'],
      ['2017-01-01', 1, '2027-01-01'], ['2024-02-29', 1, '2034-02-28'], ['2000-02-29', 1, '2010-02-28'],
      ['2019-12-31', 7, '2029-12-31'], ['2021-06-30', 7, '2031-06-30'], ['2028-02-29', 1, '2038-02-28'],
      ['2015-01-31', 1, '2025-01-31'],
    ],
  },
  // Preskriptionslag (1981:130) 2 § andra stycket: three years for a business's claim on a consumer.
  debt_limitation_consumer: {
    citation: 'Preskriptionslag (1981:130) 2 § andra stycket',
    cases: [
      ['2020-01-10', 1, '2023-01-10'], // the claim
      ['2020-03-15', 1, '2023-03-15'], ['2024-02-29', 1, '2027-02-28'], ['2020-02-29', 1, '2023-02-28'],
      ['2016-12-31', 1, '2019-12-31'], ['2017-01-01', 1, '2020-01-01'], ['2021-02-28', 1, '2024-02-28'],
      ['2025-02-28', 1, '2028-02-28'], ['2023-02-28', 7, '2026-02-28'], ['2019-12-31', 1, '2022-12-31'],
    ],
  },
  // Preskriptionslag 5–7 §§: a new period of ten years from the interruption (cases with events
  // and time-barred claims are in debt-limitation.test.ts).
  debt_interruption: {
    citation: 'Preskriptionslag (1981:130) 5 §, 6 §, 7 §',
    cases: [
      ['2025-06-01', 1, '2035-06-01'], ['2023-01-10', 1, '2033-01-10'], ['2024-02-29', 1, '2034-02-28'],
      ['2020-12-31', 1, '2030-12-31'], ['2021-01-01', 1, '2031-01-01'], ['2016-02-29', 1, '2026-02-28'],
      ['2022-06-30', 1, '2032-06-30'], ['2026-03-01', 1, '2036-03-01'], ['2019-01-31', 1, '2029-01-31'],
      ['2027-12-31', 1, '2037-12-31'],
    ],
  },
  // Penningtvättslagen (2017:630) 5 kap. 3 §: five years after the business relationship ended.
  anti_money_laundering: {
    citation: 'Penningtvättslagen (2017:630) 5 kap. 3 §',
    cases: [
      ['2020-01-01', 1, '2025-01-01'], ['2020-02-29', 1, '2025-02-28'], ['2023-12-31', 1, '2028-12-31'],
      ['2024-02-29', 1, '2029-02-28'], ['2019-06-30', 7, '2024-06-30'], ['2021-03-01', 1, '2026-03-01'],
      ['2022-12-31', 1, '2027-12-31'], ['2018-01-01', 1, '2023-01-01'], ['2027-02-28', 1, '2032-02-28'],
      ['2016-02-29', 1, '2021-02-28'],
    ],
  },
  // Bokføringsloven § 13 (Norway): five years after the end of the financial year.
  bookkeeping_no: {
    citation: 'Bokføringsloven § 13 første ledd',
    cases: [
      ['2020-06-15', 1, '2026-01-01'], ['2020-12-31', 1, '2026-01-01'], ['2021-01-01', 1, '2027-01-01'],
      ['2020-02-29', 1, '2026-01-01'], ['2020-06-30', 7, '2025-07-01'], ['2020-07-01', 7, '2026-07-01'],
      ['2024-02-29', 3, '2029-03-01'], ['2024-03-01', 3, '2030-03-01'], ['2019-12-31', 10, '2025-10-01'],
      ['2019-09-30', 10, '2024-10-01'],
    ],
  },
  // Bogføringsloven (2022) § 10 (Denmark): five years from the end of the financial year.
  bookkeeping_dk: {
    citation: 'Bogføringsloven (2022) § 10, stk. 1',
    cases: [
      ['2023-06-15', 1, '2029-01-01'], ['2023-12-31', 1, '2029-01-01'], ['2024-01-01', 1, '2030-01-01'],
      ['2024-02-29', 1, '2030-01-01'], ['2023-06-30', 7, '2028-07-01'], ['2023-07-01', 7, '2029-07-01'],
      ['2024-02-29', 3, '2029-03-01'], ['2024-03-01', 3, '2030-03-01'], ['2022-12-31', 10, '2028-10-01'],
      ['2022-09-30', 10, '2027-10-01'],
    ],
  },
  // Kirjanpitolaki 2:10 § 1 mom. (Finland): books and financial statements ten years from the end
  // of the year in which the financial period ended.
  bookkeeping_fi: {
    citation: 'Kirjanpitolaki 2:10 § 1 mom.',
    cases: [
      ['2020-06-15', 1, '2031-01-01'], ['2020-12-31', 1, '2031-01-01'], ['2021-01-01', 1, '2032-01-01'],
      ['2020-02-29', 1, '2031-01-01'], ['2020-06-30', 7, '2031-01-01'], ['2020-07-01', 7, '2032-01-01'],
      ['2024-02-29', 3, '2035-01-01'], ['2024-03-01', 3, '2036-01-01'], ['2019-12-31', 10, '2031-01-01'],
      ['2019-09-30', 10, '2030-01-01'],
    ],
  },
  // Kirjanpitolaki 2:10 § 2 mom. (Finland): vouchers six years from the end of that year.
  bookkeeping_fi_vouchers: {
    citation: 'Kirjanpitolaki 2:10 § 2 mom.',
    cases: [
      ['2020-06-15', 1, '2027-01-01'], ['2020-12-31', 1, '2027-01-01'], ['2021-01-01', 1, '2028-01-01'],
      ['2020-02-29', 1, '2027-01-01'], ['2020-06-30', 7, '2027-01-01'], ['2020-07-01', 7, '2028-01-01'],
      ['2024-02-29', 3, '2031-01-01'], ['2024-03-01', 3, '2032-01-01'], ['2019-12-31', 10, '2027-01-01'],
      ['2019-09-30', 10, '2026-01-01'],
    ],
  },
};

describe('statutory periods as data, with their citations', () => {
  it('the table holds exactly these periods, each with citation, version and where the citation comes from', async () => {
    const { rows } = await db.pool().query(`select name, citation, version is not null and source is not null as sourced
                                            from privacy.statutory_minimum order by name`);
    expect(rows).toEqual(Object.entries(CASES).sort(([a], [b]) => a.localeCompare(b))
      .map(([name, rule]) => ({ name, citation: rule.citation, sourced: true })));
  });

  for (const [name, rule] of Object.entries(CASES)) {
    it(`${name}: ${rule.cases.length} dated cases`, async () => {
      expect(rule.cases.length).toBeGreaterThanOrEqual(10);
      const { rows } = await db.pool().query(
        `select c.anchor::text, c.start_month, privacy.statutory_end(m.counts_from, m.period, c.anchor, c.start_month)::text as ends
         from privacy.statutory_minimum m,
              rows from (unnest($2::date[]), unnest($3::int[])) with ordinality as c(anchor, start_month, o)
         where m.name = $1 order by c.o`,
        [name, rule.cases.map((c) => c[0]), rule.cases.map((c) => c[1])]);
      expect(rows.map((r) => [r.anchor, r.start_month, r.ends])).toEqual(rule.cases);
    });
  }
});

describe('the controller\'s fiscal year', () => {
  it('makes the bookkeeping minimum of a payment date end with the fiscal year it falls in (issue: 2017-01-01, not 2016-01-01)', async () => {
    await db.pool().query(`
      create table public.voucher (id bigint primary key, paid_on date not null, amount numeric);
      insert into public.voucher values (1, '2008-10-01', 100), (2, '2009-06-30', 200), (3, '2009-07-01', 300);
      select privacy.set_fiscal_year(start_month => 7);
      select privacy.set_retention('voucher', anchor => 'paid_on', keep => '1 year', action => 'delete',
                                   minimum => 'bookkeeping', minimum_anchor => 'paid_on');`);
    const kept = async (id: string) => (await db.pool().query(
      `select kept_until::text, detail from privacy.retention_of('voucher', $1) where source = 'minimum'`, [id])).rows[0];
    expect(await kept('1')).toEqual({ kept_until: '2016-12-31', detail: expect.stringContaining('Bokföringslagen (1999:1078) 7 kap. 2 §') });
    expect((await kept('2')).kept_until).toBe('2016-12-31');
    expect((await kept('3')).kept_until).toBe('2017-12-31');
    expect((await db.pool().query(`select privacy.minimum_ends('bookkeeping', '2008-10-01')::text as ends`)).rows[0].ends).toBe('2017-01-01');
  });

  it('an export shows, for every row the minimum keeps, the rule, its citation and its end', async () => {
    await db.pool().query(`
      create table public.client (id bigint primary key, name text);
      insert into public.client values (1, 'Client 1');
      create table public.receipt (id bigint primary key, client_id bigint not null references public.client, paid_on date not null);
      insert into public.receipt values (1, 1, current_date - 30), (2, 1, current_date - 400);
      select privacy.declare_subject_type('client', 'client', 'id');
      select privacy.link_subject('client', 'receipt', 'client_id');
      select privacy.set_retention('receipt', anchor => 'paid_on', keep => '1 month', action => 'delete',
                                   minimum => 'bookkeeping', minimum_anchor => 'paid_on');
      select * from privacy.erase_subject('client', '1', 'test: Art. 17');`);
    const ends = (await db.pool().query(`select id, (privacy.minimum_ends('bookkeeping', paid_on) - 1)::text as until
                                          from public.receipt order by id`)).rows.map((r) => r.until);
    const { rows: [{ document }] } = await db.pool().query(`select privacy.export_subject('client', '1') as document`);
    const receipt = document.tables.find((t: { table: string }) => t.table === 'public.receipt');
    expect(receipt.retention.minimum).toMatchObject({ citation: 'Bokföringslagen (1999:1078) 7 kap. 2 §', counts_from: 'end_of_calendar_year_of_fiscal_year' });
    expect(receipt.kept_rows).toEqual([
      { key: ['1'], kept_by: 'minimum:bookkeeping', until: ends[0], citation: 'Bokföringslagen (1999:1078) 7 kap. 2 §' },
      { key: ['2'], kept_by: 'minimum:bookkeeping', until: ends[1], citation: 'Bokföringslagen (1999:1078) 7 kap. 2 §' },
    ]);
  });

  it('refuses a month that is not one', async () => {
    await expect(db.pool().query(`select privacy.set_fiscal_year(13)`)).rejects.toMatchObject({ code: 'PV011' });
  });
});
