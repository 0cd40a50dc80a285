import { describe, expect, it } from 'vitest';
import { lintDatabase } from '../../src/policy/lint/lint-database.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { kyselyFor } from './policy-fixtures.ts';

// A minimum that counts from the calendar year of its anchor (a period a DBA added themselves,
// as before fiscal years were data) over a payment date, once fiscal years start in July: the
// record could go a year before Bokföringslagen allows. Declaring it warns; lint says so.
const db = useTestDatabase('base');

describe('a minimum anchor that is not the end of the fiscal year', () => {
  it('is warned about when declared and by lint; bookkeeping, which counts from the fiscal year, is not', async () => {
    const owner = kyselyFor(db.url);
    await db.pool().query(`
      create table public.sale (id bigint primary key, paid_on date not null, booked_on date not null);
      insert into privacy.statutory_minimum (name, law, description, period, counts_from)
      values ('books_by_calendar_year', 'Own rule', 'Seven years from the end of the calendar year', interval '7 years', 'end_of_calendar_year');
      select privacy.set_fiscal_year(start_month => 7);`);
    const client = await db.pool().connect();
    const warnings: string[] = [];
    client.on('notice', (n) => warnings.push(`${n.severity}: ${n.message}`));
    try {
      await client.query(`select privacy.set_retention('sale', anchor => 'paid_on', keep => '1 year', action => 'delete',
                                                       minimum => 'books_by_calendar_year', minimum_anchor => 'paid_on')`);
    } finally {
      client.release();
    }
    expect(warnings).toEqual([expect.stringMatching(/^WARNING: public\.sale: minimum books_by_calendar_year counts from the end of the calendar year of paid_on/)]);
    const lint = await lintDatabase(owner);
    expect(lint.findings.filter((f) => f.rule === 'minimum-anchor-not-fiscal-year-end')).toEqual([
      expect.objectContaining({ severity: 'warning', object: 'public.sale.paid_on' })]);

    await db.pool().query(`select privacy.set_retention('sale', anchor => 'paid_on', keep => '1 year', action => 'delete',
                                                         minimum => 'bookkeeping', minimum_anchor => 'paid_on')`);
    expect((await lintDatabase(owner)).findings.filter((f) => f.rule === 'minimum-anchor-not-fiscal-year-end')).toEqual([]);
  });
});
