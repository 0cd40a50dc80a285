// geo_noise: geo-indistinguishability by the planar Laplace mechanism. The radius of a draw has
// density ε²·r·e^(−εr) (mean 2/ε), its angle is uniform; the read mask adds independent Laplace
// noise of scale √2/ε to each axis; anonymizing moves both coordinates by one shared draw.
// Displacements are measured with Vincenty's formula, independent of the SQL's own scale factors.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { geodesic, mean } from './geodesy.ts';

const db = useTestDatabase('base');
const DRAWS = 20_000;

/** Counts of azimuths per quadrant (north-east, south-east, south-west, north-west). */
function quadrants(azimuths: number[]): number[] {
  const counts = [0, 0, 0, 0];
  for (const a of azimuths) counts[Math.floor(a / 90) % 4]! += 1;
  return counts;
}

/** The planar Laplace radius' distribution function. */
const radiusCdf = (epsilon: number, r: number) => 1 - (1 + epsilon * r) * Math.exp(-epsilon * r);

describe('the Lambert W function, branch −1', () => {
  it('solves w·e^w = x with w ≤ −1 across [−1/e, 0)', async () => {
    const { rows } = await db.pool().query<{ x: number; w: number }>(`
      select x, privacy.lambert_w_m1(x) as w
      from (select -exp(-1.0::float8) * (1 - i / 2000.0) as x from generate_series(0, 1999) i
            union all select -power(10, -e) from generate_series(2, 300, 7) e) s`);
    for (const { x, w } of rows) {
      expect(w).toBeLessThanOrEqual(-1);
      expect(Math.abs(w * Math.exp(w) - x)).toBeLessThanOrEqual(1e-12 * Math.abs(x) + 1e-300);
    }
  });

  it('has the known values W₋₁(−1/e) = −1 and W₋₁(−0.2) = −2.5426413577735265, and no value outside its domain', async () => {
    const { rows } = await db.pool().query(`
      select privacy.lambert_w_m1(-exp(-1.0::float8)) as a, privacy.lambert_w_m1(-0.2) as b,
             privacy.lambert_w_m1(0) as c, privacy.lambert_w_m1(-0.5) as d, privacy.lambert_w_m1(0.1) as e`);
    expect(rows[0].a).toBe(-1);
    expect(rows[0].b).toBeCloseTo(-2.5426413577735265, 14);
    expect([rows[0].c, rows[0].d, rows[0].e]).toEqual([null, null, null]);
  });

  it('makes planar_laplace_radius the exact inverse of the radius distribution', async () => {
    const { rows } = await db.pool().query<{ p: number; r: number }>(`
      select p, privacy.planar_laplace_radius(0.01, p) as r from (select i / 1000.0::float8 as p from generate_series(0, 999) i) s`);
    for (const { p, r } of rows) expect(radiusCdf(0.01, r)).toBeCloseTo(p, 12);
  });
});

describe.each([[59.33, 18.07, 0.01], [68.35, 18.83, 0.002]])('privacy.geo_noise at (%f, %f), ε = %f', (lat, lon, epsilon) => {
  it(`moves a point by 2/ε on average over ${DRAWS} draws (within 3 %), in uniformly random directions`, async () => {
    const { rows } = await db.pool().query<{ lat: number; lon: number }>(
      // A draw per row: `i * 0` makes the call depend on the row, so it is not run once and reused.
      `select n.lat, n.lon from generate_series(1, ${DRAWS}) i, privacy.geo_noise($1::float8 + i * 0, $2, $3) n`, [lat, lon, epsilon]);
    expect(rows).toHaveLength(DRAWS);
    const moves = rows.map((r) => geodesic(lat, lon, r.lat, r.lon));
    const radii = moves.map((m) => m.distance);
    expect(Math.abs(mean(radii) * epsilon / 2 - 1)).toBeLessThan(0.03);
    // The radius follows its distribution, not only its mean: half of the draws within the median.
    const median = radii.filter((r) => radiusCdf(epsilon, r) < 0.5).length / DRAWS;
    expect(Math.abs(median - 0.5)).toBeLessThan(0.02);
    for (const count of quadrants(moves.map((m) => m.azimuth))) expect(Math.abs(count / (DRAWS / 4) - 1)).toBeLessThan(0.05);
  });
});

describe('one coordinate of Laplace noise, privacy.laplace_metres', () => {
  it(`draws Laplace(b) over ${DRAWS} draws: mean |x| = b, median 0, P(|x| > b) = 1/e, the magnitude the same on either side, |x| ≤ 36.74·b`, async () => {
    const { rows } = await db.pool().query<{ x: number }>(`select privacy.laplace_metres(100) as x from generate_series(1, ${DRAWS})`);
    const draws = rows.map((r) => r.x / 100);
    expect(Math.abs(mean(draws.map(Math.abs)) - 1)).toBeLessThan(0.03);
    expect(Math.abs(draws.filter((x) => x > 0).length / DRAWS - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(draws.filter((x) => Math.abs(x) > 1).length / DRAWS - Math.exp(-1))).toBeLessThan(0.02);
    // Sign and magnitude come from one draw: each side must still be a whole exponential.
    for (const side of [draws.filter((x) => x > 0), draws.filter((x) => x < 0).map((x) => -x)]) {
      expect(Math.abs(mean(side) - 1)).toBeLessThan(0.05);
      expect(Math.abs(side.filter((x) => x > Math.LN2).length / side.length - 0.5)).toBeLessThan(0.03);
    }
    expect(Math.max(...draws.map(Math.abs))).toBeLessThanOrEqual(36.74);
  });
});

describe('privacy.geo_wrap_lon', () => {
  it('brings any longitude onto its meridian within [−180, 180]', async () => {
    const { rows } = await db.pool().query<{ lon: number; wrapped: number }>(`
      select lon, privacy.geo_wrap_lon(lon) as wrapped
      from (select -5000 + i * 0.37 as lon from generate_series(0, 27027) i
            union all select unnest(array[-180, -179.9999999, 0, 18.0649123, 179.9999999, 180, 540, 1e9 + 0.5]::float8[])) s`);
    for (const { lon, wrapped } of rows) {
      expect(wrapped).toBeGreaterThanOrEqual(-180);
      expect(wrapped).toBeLessThanOrEqual(180);
      const turns = (wrapped - lon) / 360;
      expect(Math.abs(turns - Math.round(turns)) * 360).toBeLessThan(1e-12 * Math.max(1, Math.abs(lon)));
    }
  });
});

describe('the geo_noise read mask', () => {
  it('adds independent Laplace noise of scale √2/ε metres to each axis, fresh at every read', async () => {
    const epsilon = 0.01;
    const { rows } = await db.pool().query<{ lat: number; lon: number }>(`
      select privacy.mask_geo_noise(59.33::float8, '{"axis": "lat", "epsilon": 0.01}', 18.07, null) as lat,
             privacy.mask_geo_noise(18.07::float8, '{"axis": "lon", "epsilon": 0.01}', 59.33, null) as lon
      from generate_series(1, ${DRAWS})`);
    const north = rows.map((r) => Math.sign(r.lat - 59.33) * geodesic(59.33, 18.07, r.lat, 18.07).distance);
    const east = rows.map((r) => Math.sign(r.lon - 18.07) * geodesic(59.33, 18.07, 59.33, r.lon).distance);
    // Laplace(b): mean absolute value b, median 0, P(|x| > b) = 1/e.
    for (const axis of [north, east]) {
      expect(Math.abs(mean(axis.map(Math.abs)) / (Math.SQRT2 / epsilon) - 1)).toBeLessThan(0.03);
      expect(Math.abs(axis.filter((v) => v > 0).length / DRAWS - 0.5)).toBeLessThan(0.02);
      expect(Math.abs(axis.filter((v) => Math.abs(v) > Math.SQRT2 / epsilon).length / DRAWS - Math.exp(-1))).toBeLessThan(0.02);
    }
    // Independent axes: no correlation between the north and east displacements.
    const correlation = mean(north.map((n, i) => n * east[i]!)) / Math.sqrt(mean(north.map((n) => n * n)) * mean(east.map((e) => e * e)));
    expect(Math.abs(correlation)).toBeLessThan(0.03);
    expect(new Set(rows.map((r) => r.lat)).size).toBe(DRAWS);
  });

  it('gives NULL, never the value, for a NULL coordinate or a longitude without its latitude', async () => {
    const { rows } = await db.pool().query(`
      select privacy.mask_geo_noise(null::float8, '{"axis": "lat"}') as a,
             privacy.mask_geo_noise(18.0::float8, '{"axis": "lon"}', null, null) as b,
             privacy.mask_geo_noise(18.0::float8, '{"axis": "lon"}') as c`);
    expect(rows[0]).toEqual({ a: null, b: null, c: null });
  });
});

describe('the geo_noise read mask in a masked view', () => {
  // Two points a row, as a trip's start and end: each point's two axes read one strong draw.
  const epsilon = 0.01;
  const setUp = async () => {
    await db.pool().query(`
      create table if not exists public.noisy_trip (id int primary key, customer_id int, a_lat float8, a_lon float8,
                                                    b_lat float8, b_lon float8, privacy_draw_1 int);
      truncate public.noisy_trip;
      insert into public.noisy_trip select i, 1, 59.33, 18.07, 59.33, 18.07, i from generate_series(1, ${DRAWS}) i;
      select privacy.classify_column('noisy_trip', c, 'not_personal') from unnest(array['id', 'customer_id', 'privacy_draw_1']) c;
      select privacy.classify_column('noisy_trip', c || '_lat', 'location', mask => 'geo_noise',
                                     mask_params => jsonb_build_object('axis', 'lat', 'epsilon', ${epsilon}))
        from unnest(array['a', 'b']) c;
      select privacy.classify_column('noisy_trip', c || '_lon', 'location', mask => 'geo_noise',
                                     mask_params => jsonb_build_object('axis', 'lon', 'pair_column', c || '_lat', 'epsilon', ${epsilon}))
        from unnest(array['a', 'b']) c;
      select privacy.protect_table('noisy_trip', tenant_column => 'customer_id');`);
    return createLoginRole(db, { memberOf: ['privacy_masked'] });
  };
  const asReader = <T>(reader: LoginRole, work: (c: pg.Client) => Promise<T>) => asRole(reader, async (c) => {
    await c.query('begin');
    await c.query(`select privacy.set_tenant('1')`);
    try {
      return await work(c);
    } finally {
      await c.query('commit');
    }
  });

  it('draws once a point and row from the strong source, not once an axis', async () => {
    const reader = await setUp();
    const plan = await asReader(reader, async (c) =>
      (await c.query<{ 'QUERY PLAN': string }>('explain (verbose, costs off) select a_lat, a_lon, b_lat, b_lon from masked.noisy_trip'))
        .rows.map((r) => r['QUERY PLAN']).join('\n'));
    // Two points: two draws; a draw an axis would be four.
    expect(plan.match(/gen_random_uuid\(\)/g)).toHaveLength(2);
    expect(plan).not.toMatch(/\brandom\(\)/);
    // The view's own columns stay the table's: the draws are not shown, nor the column named like one.
    const columns = await asReader(reader, async (c) => Object.keys((await c.query('select * from masked.noisy_trip limit 1')).rows[0]));
    expect(columns).toEqual(['id', 'customer_id', 'a_lat', 'a_lon', 'b_lat', 'b_lon', 'privacy_draw_1']);
  });

  it(`gives each axis of each point Laplace noise of scale √2/ε, independent of the other axis and point, over ${DRAWS} rows`, async () => {
    const reader = await setUp();
    const rows = await asReader(reader, async (c) => (await c.query<{ a_lat: number; a_lon: number; b_lat: number; b_lon: number }>(
      'select a_lat, a_lon, b_lat, b_lon from masked.noisy_trip')).rows);
    expect(rows).toHaveLength(DRAWS);
    const north = (lat: number) => Math.sign(lat - 59.33) * geodesic(59.33, 18.07, lat, 18.07).distance;
    const east = (lon: number) => Math.sign(lon - 18.07) * geodesic(59.33, 18.07, 59.33, lon).distance;
    const axes = [rows.map((r) => north(r.a_lat)), rows.map((r) => east(r.a_lon)), rows.map((r) => north(r.b_lat)), rows.map((r) => east(r.b_lon))];
    for (const axis of axes) {
      expect(Math.abs(mean(axis.map(Math.abs)) / (Math.SQRT2 / epsilon) - 1)).toBeLessThan(0.03);
      expect(Math.abs(axis.filter((v) => v > 0).length / DRAWS - 0.5)).toBeLessThan(0.02);
      expect(Math.abs(axis.filter((v) => Math.abs(v) > Math.SQRT2 / epsilon).length / DRAWS - Math.exp(-1))).toBeLessThan(0.02);
    }
    // No correlation between any two axes, of their signed noise or of its magnitude (bits shared
    // between two axes would show in either).
    const correlation = (x: number[], y: number[]) => {
      const mx = mean(x);
      const my = mean(y);
      return mean(x.map((v, i) => (v - mx) * (y[i]! - my))) / Math.sqrt(mean(x.map((v) => (v - mx) ** 2)) * mean(y.map((v) => (v - my) ** 2)));
    };
    for (let i = 0; i < axes.length; i++) {
      for (let j = i + 1; j < axes.length; j++) {
        expect(Math.abs(correlation(axes[i]!, axes[j]!)), `axes ${i} and ${j}`).toBeLessThan(0.03);
        expect(Math.abs(correlation(axes[i]!.map(Math.abs), axes[j]!.map(Math.abs))), `magnitudes ${i} and ${j}`).toBeLessThan(0.03);
      }
    }
    expect(new Set(rows.map((r) => r.a_lat)).size).toBe(DRAWS);
  });

  it('reads anew each time, and a WHERE on a noisy column sees the value the row shows', async () => {
    const reader = await setUp();
    const [first, second, filtered] = await asReader(reader, async (c) => [
      (await c.query<{ a_lat: number }>('select a_lat from masked.noisy_trip where id <= 100 order by id')).rows,
      (await c.query<{ a_lat: number }>('select a_lat from masked.noisy_trip where id <= 100 order by id')).rows,
      (await c.query<{ a_lat: number; b_lon: number }>('select a_lat, b_lon from masked.noisy_trip where a_lat > 59.33 and b_lon < 18.07')).rows,
    ]);
    expect(first.filter((r, i) => r.a_lat === second[i]!.a_lat)).toEqual([]);
    // About a quarter of the rows, and every one of them as the WHERE asked.
    expect(Math.abs(filtered.length / DRAWS - 0.25)).toBeLessThan(0.03);
    expect(filtered.filter((r) => !(r.a_lat > 59.33 && r.b_lon < 18.07))).toEqual([]);
  });
});

describe('geo_noise anonymization', () => {
  it('moves latitude and longitude by one shared planar draw: mean 2/ε, uniform angle', async () => {
    const epsilon = 0.01;
    // As a sweep writes it: the two columns' expressions, each seeing the old point.
    const { rows } = await db.pool().query<{ lat0: number; lon0: number; lat: number; lon: number }>(`
      select p.lat as lat0, p.lon as lon0,
             privacy.anonymize_geo_noise(p.lat, '{"axis": "lat", "epsilon": ${epsilon}, "pair_column": "lon"}', p.lon, null) as lat,
             privacy.anonymize_geo_noise(p.lon, '{"axis": "lon", "epsilon": ${epsilon}, "pair_column": "lat"}', p.lat, null) as lon
      from (select 55 + i * 1e-4 as lat, 13 + i * 1e-4 as lon from generate_series(1, ${DRAWS}) i) p`);
    const moves = rows.map((r) => geodesic(r.lat0, r.lon0, r.lat, r.lon));
    expect(Math.abs(mean(moves.map((m) => m.distance)) * epsilon / 2 - 1)).toBeLessThan(0.03);
    for (const count of quadrants(moves.map((m) => m.azimuth))) expect(Math.abs(count / (DRAWS / 4) - 1)).toBeLessThan(0.05);
  });

  it('draws the same for a point within one transaction, and anew in the next (the key is never kept)', async () => {
    const client = await db.pool().connect();
    const draw = `select privacy.anonymize_geo_noise(59.3::float8, '{"axis": "lat", "pair_column": "lon"}', 18.0, null) as lat,
                         privacy.anonymize_geo_noise(18.0::float8, '{"axis": "lon", "pair_column": "lat"}', 59.3, null) as lon`;
    try {
      await client.query('begin');
      const first = (await client.query(draw)).rows[0];
      const again = (await client.query(draw)).rows[0];
      await client.query('commit');
      const next = (await client.query(draw)).rows[0];
      expect(again).toEqual(first);
      expect(next).not.toEqual(first);
      const setting = await client.query(`select coalesce(current_setting('privacy.location_noise_key', true), '') as key`);
      expect(setting.rows[0].key).toBe('');
    } finally {
      client.release();
    }
  });
});
