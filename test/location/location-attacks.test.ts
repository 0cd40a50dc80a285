// Attacks on the location strategies, each tried as a real application login (privacy_masked):
//   * masking_search_path: the masks are inlined into the reader's query, parsed in its
//     search_path; look-alikes of what they call (floor, power, sind, ln, atan, cot, asinh,
//     tand, atand, +, *, / on double precision, | on bigint, ->>) earlier in the path must
//     catch no coordinate and change no result;
//   * declaration_injection: parameters that name columns reach SQL only as names of columns that
//     exist, quoted;
//   * inlining: the read masks cost no function call per row (but the zone test, a definer call).
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

const TRAPS = `
  create schema evil;
  create function evil.spy(variadic args text[]) returns void language plpgsql as
    $$ begin raise notice 'caught: %', pg_catalog.array_to_string(args, ' | '); end $$;
  create function evil.floor(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.floor(a) $$;
  create function evil.power(a float8, b float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.power(a, b) $$;
  create function evil.sind(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.sind(a) $$;
  create function evil.cosd(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.cosd(a) $$;
  create function evil.sqrt(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.sqrt(a) $$;
  create function evil.ln(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.ln(a) $$;
  create function evil.atan(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.atan(a) $$;
  create function evil.cot(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.cot(a) $$;
  create function evil.asinh(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.asinh(a) $$;
  create function evil.tand(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.tand(a) $$;
  create function evil.atand(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.atand(a) $$;
  create function evil.bitor(a int8, b int8) returns int8 language sql as $$ select evil.spy(a::text, b::text); select pg_catalog.int8or(a, b) $$;
  create operator evil.| (leftarg = int8, rightarg = int8, function = evil.bitor);
  create function evil.times(a float8, b float8) returns float8 language sql as $$ select evil.spy(a::text, b::text); select pg_catalog.float8mul(a, b) $$;
  create operator evil.* (leftarg = float8, rightarg = float8, function = evil.times);
  create function evil.mod(a numeric, b numeric) returns numeric language sql as $$ select evil.spy(a::text); select pg_catalog.mod(a, b) $$;
  create function evil.plus(a float8, b float8) returns float8 language sql as $$ select evil.spy(a::text, b::text); select pg_catalog.float8pl(a, b) $$;
  create operator evil.+ (leftarg = float8, rightarg = float8, function = evil.plus);
  create function evil.div(a float8, b float8) returns float8 language sql as $$ select evil.spy(a::text, b::text); select pg_catalog.float8div(a, b) $$;
  create operator evil./ (leftarg = float8, rightarg = float8, function = evil.div);
  create function evil.neg(a float8) returns float8 language sql as $$ select evil.spy(a::text); select pg_catalog.float8um(a) $$;
  create operator evil.- (rightarg = float8, function = evil.neg);
  create function evil.field(a jsonb, b text) returns text language sql as $$ select '1' $$;
  create operator evil.->> (leftarg = jsonb, rightarg = text, function = evil.field);
  grant usage on schema evil to public;
  grant execute on all functions in schema evil to public;`;

// The masks as the generators write them for a latitude column `lat` and a longitude `lon`.
const MASKS = [
  `privacy.mask_geo_grid(lat, '{"axis": "lat", "meters": 500}'::jsonb)`,
  `privacy.mask_geo_grid(lon, '{"axis": "lon", "meters": 500, "pair_column": "lat"}'::jsonb, lat, null::text)`,
  `privacy.mask_geo_trim(lat, '{"axis": "lat", "pair_column": "lon", "meters": 250}'::jsonb, lon, null::text)`,
  `privacy.mask_geo_trim(lon, '{"axis": "lon", "pair_column": "lat"}'::jsonb, lat, null::text)`,
];
// Noise differs at every read: its result is checked by its distance from the value.
const NOISE = [
  `privacy.mask_geo_noise(lat, '{"axis": "lat", "epsilon": 0.01}'::jsonb)`,
  `privacy.mask_geo_noise(lon, '{"axis": "lon", "epsilon": 0.01, "pair_column": "lat"}'::jsonb, lat, null::text)`,
];
const LAT = 59.3326789;
const LON = 18.0649123;

let reader: LoginRole;

beforeAll(async () => {
  await db.pool().query(TRAPS);
  await db.pool().query(`create table public.secret_point (lat float8, lon float8)`);
  await db.pool().query(`insert into public.secret_point values ($1, $2)`, [LAT, LON]);
  reader = await createLoginRole(db, { memberOf: ['privacy_masked'] });
  await db.pool().query(`grant select on public.secret_point to ${reader.name}`);
});

async function underTraps<T>(work: (client: pg.Client, caught: string[]) => Promise<T>): Promise<T> {
  return asRole(reader, async (client) => {
    const caught: string[] = [];
    client.on('notice', (notice) => caught.push(notice.message ?? ''));
    await client.query('set search_path = evil, pg_catalog');
    return work(client, caught);
  });
}

describe('masking_search_path: look-alikes earlier in the search_path', () => {
  it('the traps work: an unqualified expression hands them the raw coordinate', async () => {
    await underTraps(async (client, caught) => {
      await client.query('select floor(lat) from public.secret_point');
      expect(caught.join('\n')).toContain(String(LAT));
    });
  });

  it.each(MASKS)('%s sees none of them and gives its true result', async (mask) => {
    const expected = (await db.pool().query(`select ${mask} as v from public.secret_point`)).rows[0].v;
    await underTraps(async (client, caught) => {
      const { rows } = await client.query(`select ${mask} as v from public.secret_point`);
      expect(caught).toEqual([]);
      expect(rows[0].v).toBe(expected);
    });
  });

  it.each(NOISE)('%s sees none of them and moves the point by a plausible amount', async (mask) => {
    await underTraps(async (client, caught) => {
      const { rows } = await client.query(`select ${mask} as v from public.secret_point, generate_series(1, 200)`);
      expect(caught).toEqual([]);
      const values = rows.map((r) => r.v as number);
      expect(values.every((v) => v !== LAT && v !== LON)).toBe(true);
      const spread = Math.max(...values) - Math.min(...values);
      expect(spread).toBeGreaterThan(0.001);
      expect(spread).toBeLessThan(1);
    });
  });
});

describe('inlining: read masks cost no call per row', () => {
  it.each([...MASKS, ...NOISE])('%s', async (mask) => {
    const plan = await asRole(reader, async (client) =>
      (await client.query(`explain (verbose, costs off) select ${mask} from public.secret_point`)).rows.map((r) => r['QUERY PLAN']).join('\n'));
    expect(plan).not.toMatch(/privacy\.(mask|anonymize|geo|param|laplace|strong)_\w+\(/);
    expect(plan).not.toMatch(/jsonb/);
    // Noise draws once from the strong source, inlined: a second use of its draw would draw
    // again (sql/510-location-noise.sql), and the numeric wrapping of longitudes is gone.
    expect(plan.split('gen_random_uuid()').length - 1).toBe(NOISE.includes(mask) ? 1 : 0);
    expect(plan).not.toMatch(/numeric/);
  });
});

describe('declaration_injection: column names in parameters', () => {
  beforeAll(async () => {
    await db.pool().query(`create table public.fix (id int primary key, lat float8 not null, lon float8 not null, note text, "we""ird" float8)`);
  });

  it.each([
    ['a longitude without its latitude', 'lon', 'geo_grid', '{"axis": "lon"}'],
    ['a pair column that does not exist', 'lon', 'geo_grid', '{"axis": "lon", "pair_column": "lat; drop table public.fix"}'],
    ['a pair column that is not numeric', 'lat', 'geo_trim', '{"axis": "lat", "pair_column": "note"}'],
    ['geo_trim without its pair', 'lat', 'geo_trim', '{"axis": "lat"}'],
    ['an unknown tenant column', 'lat', 'geo_trim', '{"axis": "lat", "pair_column": "lon", "tenant_column": "tenant"}'],
    ['an axis that is neither', 'lat', 'geo_grid', '{"axis": "up"}'],
    ['an epsilon of 0', 'lat', 'geo_noise', '{"axis": "lat", "epsilon": 0}'],
  ])('refuses %s with PV004, naming the column', async (_, column, strategy, params) => {
    await expect(db.pool().query(`select privacy.classify_column('fix', $1, 'location', mask => $2, mask_params => $3)`, [column, strategy, params]))
      .rejects.toMatchObject({ code: 'PV004', message: expect.stringContaining(`public.fix.${column}:`) });
  });

  it('refuses to anonymize a NOT NULL column by trimming (it would write NULL)', async () => {
    await expect(db.pool().query(`select privacy.classify_column('fix', 'lat', 'location', anonymize => 'geo_trim',
                                    anonymize_params => '{"axis": "lat", "pair_column": "lon"}')`)).rejects.toMatchObject({ code: 'PV004' });
  });

  it('refuses to anonymize with noise without the pair: both coordinates move by one draw', async () => {
    await expect(db.pool().query(`select privacy.classify_column('fix', 'lat', 'location', anonymize => 'geo_noise',
                                    anonymize_params => '{"axis": "lat"}')`)).rejects.toMatchObject({ code: 'PV004' });
  });

  it('quotes a pair column with an odd name, and the view reads it', async () => {
    await db.pool().query(`
      select privacy.classify_column('fix', c, 'not_personal') from unnest(array['id', 'lat', 'note']) c;
      select privacy.classify_column('fix', 'lon', 'location', mask => 'geo_grid',
                                     mask_params => '{"axis": "lon", "pair_column": "we\\"ird", "meters": 1000}');
      select privacy.protect_table('fix');
      insert into public.fix values (1, 59.33, 18.07, null, 59.33);`);
    const { rows } = await db.pool().query(`select lon, privacy.geo_grid_lon(59.33, 18.07, 1000) as expected from masked.fix`);
    expect(rows[0].lon).toBe(rows[0].expected);
  });
});
