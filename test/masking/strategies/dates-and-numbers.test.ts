import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.ts';
import { scalar } from './scalar.ts';

const db = useTestDatabase('base');

/** The mask's result as text, computed in UTC so that timestamptz output is comparable. */
async function masked(expression: string): Promise<string> {
  const client = await db.pool().connect();
  try {
    await client.query(`set timezone = 'UTC'`);
    return await scalar<string>(client, `select (${expression})::text as value`);
  } finally {
    client.release();
  }
}

describe('generalize', () => {
  it.each([
    [`privacy.mask_generalize('1987-06-15'::date, '{"unit": "decade"}')`, '1980-01-01'],
    [`privacy.mask_generalize('1987-06-15'::date, '{"unit": "year"}')`, '1987-01-01'],
    [`privacy.mask_generalize('1987-06-15'::date, '{"unit": "quarter"}')`, '1987-04-01'],
    [`privacy.mask_generalize('2024-05-17 13:47:12'::timestamp, '{"unit": "month"}')`, '2024-05-01 00:00:00'],
    [`privacy.mask_generalize('2024-05-17 13:47:12+00'::timestamptz, '{"unit": "hour"}')`, '2024-05-17 13:00:00+00'],
    // Midnight in Stockholm (UTC+2 in May) is 22:00 UTC the day before.
    [`privacy.mask_generalize('2024-05-17 13:47:12+00'::timestamptz, '{"unit": "day", "time_zone": "Europe/Stockholm"}')`,
     '2024-05-16 22:00:00+00'],
    [`privacy.mask_generalize(37, '{"step": 10}')`, '30'],
    [`privacy.mask_generalize(-3::bigint, '{"step": 10}')`, '-10'],
    [`privacy.mask_generalize(34999.99::numeric, '{"step": 5000}')`, '30000'],
    [`privacy.mask_generalize(7.4::double precision, '{"step": 2.5}')`, '5'],
  ])('%s = %s', async (expression, expected) => {
    expect(await masked(expression)).toBe(expected);
  });

  it('gives NULL, never the value, when its unit or step is missing', async () => {
    expect(await scalar(db.pool(), `select privacy.mask_generalize(current_date, '{}') as value`)).toBeNull();
    expect(await scalar(db.pool(), `select privacy.mask_generalize(42, '{}') as value`)).toBeNull();
  });
});

describe('round', () => {
  it.each([
    [`privacy.mask_round(59.3345678::double precision, '{"digits": 2}')`, '59.33'],
    [`privacy.mask_round(1234.5::numeric, '{}')`, '1235'],
    [`privacy.mask_round(1234.5::numeric, '{"digits": -2}')`, '1200'],
    [`privacy.mask_round(18.06::real, '{"digits": 1}')`, '18.1'],
  ])('%s = %s', async (expression, expected) => {
    expect(await masked(expression)).toBe(expected);
  });
});

describe('time', () => {
  it.each([
    ['minute', '2024-05-17 13:47:00+00'],
    ['quarter_hour', '2024-05-17 13:45:00+00'],
    ['hour', '2024-05-17 13:00:00+00'],
    ['day', '2024-05-17 00:00:00+00'],
  ])('coarsens a timestamptz to the %s', async (unit, expected) => {
    expect(await masked(`privacy.mask_time('2024-05-17 13:47:12.5+00'::timestamptz, '{"unit": "${unit}"}')`)).toBe(expected);
  });

  it('counts quarter hours the same in a zone with a half-hour offset, and days in the given zone', async () => {
    // 13:47 UTC is 19:17 in Kolkata (UTC+5:30): its quarter hour starts at 19:15 there, 13:45 UTC.
    expect(await masked(`privacy.mask_time('2024-05-17 13:47:12+00'::timestamptz, '{"unit": "quarter_hour", "time_zone": "Asia/Kolkata"}')`))
      .toBe('2024-05-17 13:45:00+00');
    expect(await masked(`privacy.mask_time('2024-05-17 13:47:12+00'::timestamptz, '{"unit": "hour", "time_zone": "Asia/Kolkata"}')`))
      .toBe('2024-05-17 13:30:00+00');
    expect(await masked(`privacy.mask_time('2024-05-17 13:47:12'::timestamp, '{"unit": "quarter_hour"}')`)).toBe('2024-05-17 13:45:00');
    expect(await masked(`privacy.mask_time('2024-05-17 13:47:12'::timestamp, '{}')`)).toBe('2024-05-17 13:00:00');
  });
});

describe('grid', () => {
  // Stockholm, Sergels torg.
  const LAT = 59.33258;
  const LON = 18.06490;

  it('snaps a latitude to the centre of its cell: 1000 m is 1/111.195 of a degree', async () => {
    const cell = 1000 / 111195;
    const value = await scalar<number>(db.pool(), `select privacy.mask_grid($1, '{"axis": "lat", "meters": 1000}') as value`, [LAT]);
    expect(value).toBeCloseTo((Math.floor(LAT / cell) + 0.5) * cell, 10);
    expect(Math.abs(value - LAT)).toBeLessThanOrEqual(cell / 2);
  });

  it('sizes longitude cells at the reference latitude, so they are about as many meters wide', async () => {
    const cellAt60 = 1000 / (111195 * Math.cos((60 * Math.PI) / 180));
    const value = await scalar<number>(db.pool(), `select privacy.mask_grid($1, '{"axis": "lon", "meters": 1000}') as value`, [LON]);
    expect(value).toBeCloseTo((Math.floor(LON / cellAt60) + 0.5) * cellAt60, 10);
    const atEquator = await scalar<number>(db.pool(),
      `select privacy.mask_grid($1, '{"axis": "lon", "meters": 1000, "reference_latitude": 0}') as value`, [LON]);
    expect(atEquator).toBeCloseTo((Math.floor(LON / (1000 / 111195)) + 0.5) * (1000 / 111195), 10);
  });

  it('gives every value of one cell the same centre, and stays within the range of the axis', async () => {
    const { rows } = await db.pool().query(`
      select privacy.mask_grid(59.3321, '{"axis": "lat", "meters": 5000}') as a, privacy.mask_grid(59.3401, '{"axis": "lat", "meters": 5000}') as b,
             privacy.mask_grid(89.9999, '{"axis": "lat", "meters": 1000000}') as pole, privacy.mask_grid(null, '{"axis": "lat"}') as missing`);
    expect(rows[0].a).toBe(rows[0].b);
    expect(rows[0].pole).toBeLessThanOrEqual(90);
    expect(rows[0].missing).toBeNull();
  });

  it('without an axis, sizes cells for longitude on both axes (never finer than asked)', async () => {
    const either = await scalar<number>(db.pool(), `select privacy.mask_grid($1, '{"meters": 1000}') as value`, [LAT]);
    const lon = await scalar<number>(db.pool(), `select privacy.mask_grid($1, '{"axis": "lon", "meters": 1000}') as value`, [LAT]);
    expect(either).toBe(lon);
  });
});
