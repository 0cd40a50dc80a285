// time (sql/161-mask-time.sql): when a vehicle was somewhere, coarsened. For every timestamp the
// result is the start of the unit that holds it — at or before it, less than one unit before,
// on the unit's boundary, the same for every instant of the unit — and coarsening twice changes
// nothing. Days and hours of a time zone follow its clock, across daylight-saving changes.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

const UNITS: [unit: string, seconds: number][] = [['minute', 60], ['quarter_hour', 900], ['hour', 3600], ['day', 86400]];

interface Coarsened {
  value: Date;
  coarse: Date;
  twice: Date;
  boundary: boolean;
}

describe('time coarsens timestamptz to the start of its unit (UTC)', () => {
  it.each(UNITS)('%s', async (unit, seconds) => {
    const params = JSON.stringify({ unit });
    const { rows } = await db.pool().query<Coarsened>(`
      select v as value, privacy.mask_time(v, $1) as coarse, privacy.mask_time(privacy.mask_time(v, $1), $1) as twice,
             extract(epoch from privacy.mask_time(v, $1))::numeric % $2 = 0 as boundary
      from (select timestamptz '2024-01-01 00:00:00+00' + random() * interval '800 days' as v from generate_series(1, 3000)) s`,
      [params, seconds]);
    for (const r of rows) {
      const lag = r.value.getTime() - r.coarse.getTime();
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(seconds * 1000);
      expect(r.boundary).toBe(true);
      expect(r.twice.getTime()).toBe(r.coarse.getTime());
    }
  });

  it('gives every instant of one unit the same value, and the next unit the next value', async () => {
    const { rows } = await db.pool().query<{ distinct: string }>(`
      select count(distinct privacy.mask_time(t, '{"unit": "quarter_hour"}'))::text as distinct
      from generate_series(timestamptz '2024-05-17 12:00:00+00', timestamptz '2024-05-17 12:59:59.999+00', interval '997 milliseconds') t`);
    expect(rows[0]!.distinct).toBe('4');
  });

  it('timestamp without time zone, and NULL', async () => {
    const { rows } = await db.pool().query(`
      select privacy.mask_time(timestamp '2024-05-17 12:44:59.9', '{"unit": "quarter_hour"}')::text as a,
             privacy.mask_time(null::timestamptz, '{"unit": "hour"}') as b`);
    expect(rows[0]).toEqual({ a: '2024-05-17 12:30:00', b: null });
  });
});

describe('time with a time zone: local days across daylight-saving changes', () => {
  it.each([
    ['2024-03-31 12:00', 23], // spring forward in Stockholm: a 23-hour day
    ['2024-10-27 12:00', 25], // fall back: a 25-hour day
    ['2024-06-15 12:00', 24],
  ])('the day of %s starts at local midnight and lasts %i hours', async (noon, hours) => {
    const params = '{"unit": "day", "time_zone": "Europe/Stockholm"}';
    const { rows } = await db.pool().query<{ local_start: string; length_h: number; all_same: boolean }>(`
      with day as (select privacy.mask_time(($1 || ' Europe/Stockholm')::timestamptz, $2) as start)
      select to_char(day.start at time zone 'Europe/Stockholm', 'HH24:MI:SS') as local_start,
             (extract(epoch from (privacy.mask_time(day.start + interval '30 hours', $2) - day.start)) / 3600)::int as length_h,
             bool_and(privacy.mask_time(day.start + s * interval '1 minute', $2) = day.start) as all_same
      from day, generate_series(0, ${hours * 60 - 1}) s
      group by day.start`, [noon, params]);
    expect(rows[0]).toEqual({ local_start: '00:00:00', length_h: hours, all_same: true });
  });
});
