import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

// Bokföringslagen 7 kap. 2 §: kept until the end of the seventh calendar year after the end of
// the calendar year in which the fiscal year ended. [fiscal year ends, first day it may go]
const BOOKKEEPING: [string, string][] = [
  ['2009-06-30', '2017-01-01'], // the law's own example: fiscal year 2008-07-01..2009-06-30
  ['2009-12-31', '2017-01-01'], // calendar fiscal year: the same calendar year ends it
  ['2009-01-01', '2017-01-01'], // a fiscal year ending on New Year's Day still counts in 2009
  ['2010-01-31', '2018-01-01'], // broken fiscal year ending early in the next year
  ['2012-02-29', '2020-01-01'], // leap day
  ['2018-04-30', '2026-01-01'],
  ['2025-08-31', '2033-01-01'],
];

// Preskriptionslagen 2 §: ten years, three for a claim of a business on a consumer; a new
// period of the same length runs from an interruption. [started on, consumer, time-barred on]
const LIMITATION: [string, boolean, string][] = [
  ['2020-03-15', false, '2030-03-15'],
  ['2020-03-15', true, '2023-03-15'],
  ['2024-02-29', true, '2027-02-28'],
  ['2016-12-31', false, '2026-12-31'],
];

describe('statutory minimums are computed in SQL', () => {
  it.each(BOOKKEEPING)('bookkeeping: fiscal year ending %s may be discarded from %s', async (fiscalYearEnd, from) => {
    const { rows } = await db.pool().query(
      `select privacy.minimum_ends('bookkeeping', $1::date)::text as by_name,
              privacy.minimum_ends(interval '7 years', 'end_of_calendar_year', $1::date)::text as by_period`,
      [fiscalYearEnd]);
    expect(rows[0]).toEqual({ by_name: from, by_period: from });
  });

  it('an unknown fiscal year end keeps the record (no end)', async () => {
    const { rows } = await db.pool().query(`select privacy.minimum_ends('bookkeeping', null) as ends`);
    expect(rows[0].ends).toBeNull();
  });

  it.each(LIMITATION)('a debt from %s (consumer: %s) is time-barred on %s', async (startedOn, consumer, barredOn) => {
    const { rows } = await db.pool().query(`select privacy.debt_limitation_ends($1::date, $2)::text as ends`, [startedOn, consumer]);
    expect(rows[0].ends).toBe(barredOn);
  });

  it('an unknown minimum is an error naming it', async () => {
    await expect(db.pool().query(`select privacy.minimum_ends('tax', current_date)`)).rejects.toMatchObject({ code: 'PV005' });
  });
});
