import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

type Event = [kind: string, on: string];

// Preskriptionslagen (SFS 1981:130): 2 § ten years, 2 § 2 st. three years for a business's claim
// on a consumer; 5 § interruption by reminder, acknowledgement, payment or legal action; 6 § a
// new period of the same length from the interruption; 7 § after legal proceedings it runs from
// their end; 9 § a time-barred claim is extinguished (nothing later revives it).
// [claim arose, consumer, events, last day the hold keeps the data (null: proceedings running)]
const CASES: [string, boolean, Event[], string | null][] = [
  ['2020-01-10', true, [], '2023-01-10'],
  ['2020-01-10', true, [['reminder', '2025-06-01']], '2023-01-10'],                  // the issue: barred, then a reminder
  ['2020-01-10', false, [['reminder', '2025-06-01']], '2035-06-01'],                 // ten years: still alive
  ['2020-01-10', true, [['reminder', '2023-01-10']], '2026-01-10'],                  // on the last day: in time
  ['2020-01-10', true, [['reminder', '2023-01-11']], '2023-01-10'],                  // a day late
  ['2016-02-29', true, [], '2019-02-28'],                                            // leap day, into a common year
  ['2020-02-29', false, [['payment', '2024-02-29']], '2034-02-28'],                  // leap day to leap day, then a common year
  ['2020-03-01', true, [['payment', '2022-02-28'], ['acknowledgement', '2025-02-27']], '2028-02-27'],
  ['2020-03-01', true, [['acknowledgement', '2025-02-27'], ['payment', '2022-02-28']], '2028-02-27'],  // recorded out of order
  ['2020-01-10', true, [['reminder', '2022-06-01'], ['reminder', '2025-06-02'], ['reminder', '2026-01-01']], '2025-06-01'],
  ['2019-12-31', true, [['legal_action', '2022-12-30']], null],                      // proceedings running
  ['2019-12-31', true, [['legal_action', '2022-12-30'], ['reminder', '2026-01-01'], ['proceedings_ended', '2027-06-30']], '2030-06-30'],
  ['2019-12-31', true, [['legal_action', '2023-01-02']], '2022-12-31'],              // brought after the claim was barred
  ['2020-01-10', true, [['proceedings_ended', '2022-01-01']], '2023-01-10'],          // no proceedings to end
  ['2015-12-31', false, [['reminder', '2025-12-31']], '2035-12-31'],                 // year end, last day
];

describe('debt holds follow preskriptionslagen', () => {
  it.each(CASES)('a claim from %s (consumer: %s) with events %j is kept to %s', async (arose, consumer, events, until) => {
    const { rows } = await db.pool().query(`select privacy.debt_hold_ends($1::date, $2, $3::text[], $4::date[])::text as until`,
      [arose, consumer, events.map((e) => e[0]), events.map((e) => e[1])]);
    expect(rows[0].until).toBe(until);
  });
});

describe('record_debt_event', () => {
  beforeAll(async () => {
    await db.pool().query(`
      create table public.debtor (id bigint primary key, name text);
      insert into public.debtor values (1, 'Debtor 1'), (2, 'Debtor 2');
      select privacy.declare_subject_type('debtor', 'debtor', 'id');`);
  });

  it('does not revive a time-barred claim: a reminder after it leaves the hold ending on the day it was barred', async () => {
    const { rows: [{ id }] } = await db.pool().query(
      `select privacy.place_debt_hold('debtor', '1', arose_on => '2020-01-10', consumer => true) as id`);
    const { rows } = await db.pool().query(`select privacy.record_debt_event($1, 'reminder', '2025-06-01')::text as until`, [id]);
    expect(rows[0].until).toBe('2023-01-10');
    const hold = await db.pool().query(`select until::text from privacy.hold where id = $1`, [id]);
    expect(hold.rows[0].until).toBe('2023-01-10');
    const events = await db.pool().query(`select event, interrupted, until_after::text from privacy.hold_event where hold_id = $1`, [id]);
    expect(events.rows).toEqual([{ event: 'reminder', interrupted: false, until_after: '2023-01-10' }]);
  });

  it('keeps a hold open while legal proceedings run, with a review date, and restarts it from their end', async () => {
    const { rows: [{ id }] } = await db.pool().query(
      `select privacy.place_debt_hold('debtor', '2', arose_on => '2020-01-10', consumer => true) as id`);
    const brought = await db.pool().query(`select privacy.record_debt_event($1, 'legal_action', '2022-12-01')::text as until`, [id]);
    expect(brought.rows[0].until).toBeNull();
    expect((await db.pool().query(`select until, review_on::text from privacy.hold where id = $1`, [id])).rows[0])
      .toEqual({ until: null, review_on: '2025-12-01' });
    const ended = await db.pool().query(`select privacy.record_debt_event($1, 'proceedings_ended', '2024-03-15')::text as until`, [id]);
    expect(ended.rows[0].until).toBe('2027-03-15');
  });
});
