import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.ts';
import { column } from './scalar.ts';

const db = useTestDatabase('base');

/** 1,000 draws of `expression` (which may use the draw number `i`), as numbers. */
const draws = (expression: string) =>
  column<number>(db.pool(), `select (${expression})::double precision as value from generate_series(1, 1000) as i`);

function expectWithin(values: number[], low: number, high: number): void {
  expect(values).toHaveLength(1000);
  expect(Math.min(...values)).toBeGreaterThanOrEqual(low);
  expect(Math.max(...values)).toBeLessThanOrEqual(high);
  // Noise that does not move the value is no noise: most draws differ from each other.
  expect(new Set(values).size).toBeGreaterThan(high - low >= 100 ? 500 : Math.min(5, high - low));
}

describe('noise stays within its bound over 1,000 draws', () => {
  it('numeric by ratio: within ±10 % of the value', async () => {
    expectWithin(await draws(`privacy.mask_noise(250::numeric, '{"ratio": 0.1}')`), 225, 275);
  });

  it('double precision by an absolute amount, also for negative values', async () => {
    expectWithin(await draws(`privacy.mask_noise(-40.5::double precision, '{"absolute": 2.5}')`), -43, -38);
  });

  it('integer by an absolute amount: whole steps, every one of them reached', async () => {
    const values = await draws(`privacy.mask_noise(100, '{"absolute": 3.9}')`);
    expectWithin(values, 97, 103);
    expect(values.every(Number.isInteger)).toBe(true);
    expect(new Set(values)).toEqual(new Set([97, 98, 99, 100, 101, 102, 103]));
  });

  it('bigint by ratio, kept inside the type', async () => {
    expectWithin(await draws(`privacy.mask_noise(1000000::bigint, '{"ratio": 0.5}')`), 500000, 1500000);
    const top = await draws(`privacy.mask_noise(9223372036854775807::bigint, '{"absolute": 10}') - 9223372036854775000`);
    expect(Math.max(...top)).toBeLessThanOrEqual(807);
  });

  it('dates by an interval, in whole days', async () => {
    const values = await draws(`privacy.mask_noise('2024-05-17'::date, '{"interval": "10 days"}') - '2024-05-17'::date`);
    expectWithin(values, -10, 10);
  });

  it('timestamptz by an interval', async () => {
    const values = await draws(
      `extract(epoch from privacy.mask_noise('2024-05-17 12:00+00'::timestamptz, '{"interval": "2 hours"}') - '2024-05-17 12:00+00'::timestamptz)`);
    expectWithin(values, -7200, 7200);
  });

  it('gives NULL, never the value, without a bound, and for NULL', async () => {
    const values = await column(db.pool(), `
      select v as value from (values (privacy.mask_noise(5, '{}')::text), (privacy.mask_noise(5::numeric, '{}')::text),
                                     (privacy.mask_noise(null::integer, '{"absolute": 3}')::text),
                                     (privacy.mask_noise(current_date, '{}')::text)) as t(v)`);
    expect(values).toEqual([null, null, null, null]);
  });
});
