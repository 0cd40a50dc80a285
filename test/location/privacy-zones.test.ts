// Privacy zones and trip trimming (sql/520-privacy-zones.sql): a trimmed trip never starts or
// ends inside a zone; each zone is enforced with its own random radius (and moved centre), the
// same every time it is used; one tenant's zones never trim another tenant's data.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { metresBetween } from './geodesy.ts';

const db = useTestDatabase('base');

interface Zone {
  id: number;
  lat: number;
  lon: number;
  radius: number;
}

/** A small seeded generator (mulberry32), so that a failing trip can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A point d metres from (lat, lon) at bearing b degrees (flat approximation; fine for test trips). */
function move(lat: number, lon: number, d: number, b: number): [number, number] {
  const rad = Math.PI / 180;
  return [lat + (d * Math.cos(b * rad)) / 111_300, lon + (d * Math.sin(b * rad)) / (111_300 * Math.cos(lat * rad))];
}

/** Runs work in one transaction with the tenant set. */
async function asTenant<T>(client: pg.PoolClient | pg.Client, tenant: string | null, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    if (tenant !== null) await client.query('select privacy.set_tenant($1)', [tenant]);
    return await work();
  } finally {
    await client.query('rollback');
  }
}

const zones: Zone[] = [];
let firstZoneId = 0;
let client: pg.PoolClient;

beforeAll(async () => {
  client = await db.pool().connect();
  const next = random(7);
  // Twelve homes of tenant 1 around Stockholm, each declared with 300 m.
  for (let i = 0; i < 12; i++) {
    const lat = 59.25 + next() * 0.15;
    const lon = 17.9 + next() * 0.3;
    const { rows } = await client.query<{ id: string }>(
      `select privacy.add_location_zone($1, $2, 300, subject_type => 'device', subject_id => $3, tenant => '1') as id`,
      [lat, lon, String(100 + i)]);
    zones.push({ id: Number(rows[0]!.id), lat, lon, radius: 300 });
  }
  firstZoneId = zones[0]!.id;
});

afterAll(() => client.release());

describe('a zone is enforced with its own random radius and centre, drawn once', () => {
  it('gives each zone a radius the same every time, different from every other zone\'s, between 1.01 and 2.01 times the declared one', async () => {
    const read = async () => (await client.query<{ id: string; effective_radius_m: number }>(
      `select id, effective_radius_m from privacy.location_zones() where tenant = '1' order by id`)).rows;
    const first = await read();
    // Whatever happens in between (other zones added and dropped), a zone keeps its draw.
    const other = (await client.query(`select privacy.add_location_zone(60, 15, 300) as id`)).rows[0].id;
    await client.query('select privacy.drop_location_zone($1)', [other]);
    expect(await read()).toEqual(first);
    expect(new Set(first.map((z) => z.effective_radius_m)).size).toBe(first.length);
    for (const z of first) {
      expect(z.effective_radius_m).toBeGreaterThanOrEqual(1.01 * 300);
      expect(z.effective_radius_m).toBeLessThan(2.01 * 300);
    }
  });

  it('always covers the declared disk', async () => {
    const inside = await asTenant(client, '1', async () => (await client.query<{ inside: boolean }>(`
      select privacy.in_location_zone(o.lat, o.lon) as inside
      from unnest($1::float8[], $2::float8[]) as z(lat, lon), generate_series(0, 359, 5) b, generate_series(0, 10) f,
           privacy.geo_offset(z.lat, z.lon, 300 * 0.999 * f / 10.0 * cosd(b), 300 * 0.999 * f / 10.0 * sind(b)) o`,
      [zones.map((z) => z.lat), zones.map((z) => z.lon)])).rows);
    expect(inside.length).toBe(12 * 72 * 11);
    expect(inside.every((r) => r.inside)).toBe(true);
  });
});

describe('trim_trip', () => {
  it('never lets a trimmed trip start or end inside a zone, and drops nothing but zone points at its ends', async () => {
    const next = random(42);
    const trips: [number, number][][] = [];
    for (let t = 0; t < 300; t++) {
      // Start inside a home most of the time, leave in a random direction, and often come home.
      const home = zones[Math.floor(next() * zones.length)]!;
      let [lat, lon] = next() < 0.8 ? move(home.lat, home.lon, 300 * Math.sqrt(next()), 360 * next()) : move(home.lat, home.lon, 3000, 360 * next());
      const bearing = 360 * next();
      const steps = 10 + Math.floor(next() * 60);
      const back = next() < 0.5;
      const points: [number, number][] = [[lat, lon]];
      for (let s = 1; s < steps; s++) {
        [lat, lon] = move(lat, lon, 15 + next() * 50, back && s > steps / 2 ? bearing + 180 : bearing);
        points.push([lat, lon]);
      }
      if (back) points.push(move(home.lat, home.lon, 250 * next(), 360 * next()));
      trips.push(points);
    }

    let trimmedSome = 0;
    await asTenant(client, '1', async () => {
      for (const points of trips) {
        const lats = points.map((p) => p[0]);
        const lons = points.map((p) => p[1]);
        const kept = (await client.query<{ ordinal: number; lat: number; lon: number }>(
          'select * from privacy.trim_trip($1, $2)', [lats, lons])).rows;
        const zoned = (await client.query<{ inside: boolean }>(
          'select privacy.in_location_zone(lat, lon) as inside from unnest($1::float8[], $2::float8[]) as u(lat, lon)', [lats, lons]))
          .rows.map((r) => r.inside);
        if (kept.length < points.length) trimmedSome += 1;
        if (kept.length === 0) {
          expect(zoned.every(Boolean)).toBe(true); // a trip that never left its zones is dropped whole
          continue;
        }
        const first = kept[0]!;
        const last = kept[kept.length - 1]!;
        for (const end of [first, last]) {
          expect(zoned[end.ordinal - 1]).toBe(false);
          for (const z of zones) expect(metresBetween(end.lat, end.lon, z.lat, z.lon)).toBeGreaterThan(z.radius);
        }
        // One stretch from the first point outside every zone to the last one, nothing else lost.
        expect(kept.map((k) => k.ordinal)).toEqual(Array.from({ length: last.ordinal - first.ordinal + 1 }, (_, i) => first.ordinal + i));
        expect(zoned.slice(0, first.ordinal - 1).every(Boolean)).toBe(true);
        expect(zoned.slice(last.ordinal).every(Boolean)).toBe(true);
        for (const k of kept) expect([k.lat, k.lon]).toEqual(points[k.ordinal - 1]);
      }
    });
    expect(trimmedSome).toBeGreaterThan(200);
  });

  it('trims a trip\'s start and end columns too: a trip of two points', async () => {
    const home = zones[0]!;
    const [awayLat, awayLon] = move(home.lat, home.lon, 5000, 90);
    const rows = await asTenant(client, '1', async () => (await client.query(`
      select t.name, array(select k.ordinal from privacy.trim_trip(array[t.start_lat, t.end_lat], array[t.start_lon, t.end_lon]) k) as kept
      from (values ('from home', $1::float8, $2::float8, $3::float8, $4::float8),
                   ('to home', $3, $4, $1, $2),
                   ('elsewhere', $3, $4, $3 + 0.01, $4)) t(name, start_lat, start_lon, end_lat, end_lon)`,
      [home.lat, home.lon, awayLat, awayLon])).rows);
    expect(rows).toEqual([
      { name: 'from home', kept: [2] },
      { name: 'to home', kept: [1] },
      { name: 'elsewhere', kept: [1, 2] },
    ]);
  });

  it('drops points with a NULL coordinate at the ends, and refuses arrays of unequal length', async () => {
    const [lat, lon] = move(zones[0]!.lat, zones[0]!.lon, 5000, 0);
    const kept = await asTenant(client, '1', async () => (await client.query(
      'select ordinal from privacy.trim_trip(array[null, $1::float8, $1::float8 + 0.001, null], array[$2::float8, $2, $2, $2])', [lat, lon])).rows);
    expect(kept.map((r) => r.ordinal)).toEqual([2, 3]);
    await expect(client.query('select * from privacy.trim_trip(array[1.0, 2.0]::float8[], array[1.0]::float8[])'))
      .rejects.toMatchObject({ code: 'PV501' });
  });
});

describe('whose zones count', () => {
  it('a tenant\'s zones trim only that tenant\'s reads; zones of no tenant trim everyone\'s', async () => {
    const [lat, lon] = [63.83, 20.26];
    const other = (await client.query(`select privacy.add_location_zone($1, $2, 200, tenant => '2') as id`, [lat, lon])).rows[0].id;
    const global = (await client.query(`select privacy.add_location_zone($1, $2 + 0.1, 200) as id`, [lat, lon])).rows[0].id;
    const probe = async (tenant: string | null) => asTenant(client, tenant, async () => (await client.query(
      'select privacy.in_location_zone($1, $2) as theirs, privacy.in_location_zone($1, $2 + 0.1) as everyones', [lat, lon])).rows[0]);
    expect(await probe('2')).toEqual({ theirs: true, everyones: true });
    expect(await probe('1')).toEqual({ theirs: false, everyones: true });
    expect(await probe(null)).toEqual({ theirs: false, everyones: true });
    // At expiry, without a tenant: the row's tenant's zones, or every zone.
    const expiry = (await client.query(`
      select privacy.in_location_zone_of($1, $2, '2') as own, privacy.in_location_zone_of($1, $2, '1') as foreign,
             privacy.in_location_zone_of($1, $2, null) as any`, [lat, lon])).rows[0];
    expect(expiry).toEqual({ own: true, foreign: false, any: true });
    await client.query('select privacy.drop_location_zone($1), privacy.drop_location_zone($2)', [other, global]);
    expect(await probe('2')).toEqual({ theirs: false, everyones: false });
  });

  it('a subject\'s zones go with it (erasure)', async () => {
    const before = (await client.query(`select count(*)::int as n from privacy.location_zones() where subject_id = '100'`)).rows[0].n;
    expect(before).toBe(1);
    const dropped = (await client.query(`select privacy.drop_location_zones('device', '100') as n`)).rows[0].n;
    expect(Number(dropped)).toBe(1);
    const ledger = (await client.query(`select detail from privacy.ledger where action = 'location_zones_dropped'`)).rows;
    expect(ledger).toEqual([{ detail: { subject_type: 'device', count: 1 } }]);
    zones.shift();
  });
});

describe('the geo_trim read mask as a masked view runs it', () => {
  it('gives what mask_geo_trim gives, point by point, with and without a grid, for each tenant and none', async () => {
    // sql/530 writes the zone test into the view (geo_trim_read_sql); mask_geo_trim asks the
    // definer in_location_zone. Points around the zones, some inside, some NULL.
    const points = `(select i, 59.2 + (i % 97) * 0.0025 as lat, 17.85 + (i / 97) * 0.004 as lon from generate_series(0, 9408) i
                     union all select -1, null, 18.0 union all select -2, 59.3, null) t`;
    for (const params of [{}, { meters: 1000 }]) {
      for (const [axis, pair] of [['lat', 'lon'], ['lon', 'lat']] as const) {
        const p = JSON.stringify({ ...params, axis, pair_column: pair });
        const { rows: [call] } = await client.query(`select privacy.strategy_call('geo_trim', $1, 't.${axis}', 'float8', 'mask') as s`, [p]);
        expect(call.s).toMatch(/privacy\.location_zone/);
        for (const tenant of ['1', '2', null]) {
          const { rows: [r] } = await asTenant(client, tenant, () => client.query(
            `select count(*) filter (where a is distinct from b)::int as differ, count(*) filter (where a is null)::int as trimmed
             from (select ${call.s} as a, privacy.mask_geo_trim(t.${axis}, $1::jsonb, t.${pair}, null) as b from ${points}) x`, [p]));
          expect(r, `${p}, tenant ${tenant}`).toMatchObject({ differ: 0 });
          expect(r.trimmed, `${p}, tenant ${tenant}`).toBeGreaterThan(tenant === '1' ? 2 : 1);
        }
      }
    }
  });
});

describe('what the geo_trim read mask costs', () => {
  it('asks the zones\' index only for points in a grid cell a zone touches, and lets parallel workers read', async () => {
    // Points over the whole of Sweden, most far from every zone: the grid of geo_trim_read_sql
    // (the zones' boxes' cells, hashed once per statement) answers for those, and the index
    // probe runs for the few others. Without the grid the probe ran once per point.
    await client.query(`create table public.trim_cost as
      select i as id, 55.4 + (i % 101) * 0.135 as lat, 11.2 + (i / 101) * 0.125 as lon from generate_series(0, 10200) i`);
    await client.query('analyze public.trim_cost; analyze privacy.location_zone');
    try {
      const p = JSON.stringify({ axis: 'lat', pair_column: 'lon' });
      const { rows: [call] } = await client.query(`select privacy.strategy_call('geo_trim', $1, 't.lat', 'float8', 'mask') as s`, [p]);
      const plan = await asTenant(client, '1', async () => (await client.query(
        `explain (analyze, costs off, timing off, summary off) select ${call.s} as lat from public.trim_cost t`))
        .rows.map((r) => r['QUERY PLAN'] as string));
      // The probe: the scan of the zones whose condition is the point's box (the grid's own scan
      // of the zones, hashed or, with few zones, rescanned, has no such condition).
      const probes = plan.flatMap((line, i) =>
        /on location_zone/.test(line) && plan.slice(i + 1, i + 4).some((next) => /(Cond|Filter): .*bbox &&/.test(next))
          ? [Number(/loops=(\d+)/.exec(line)?.[1] ?? 0)] : []);
      expect(probes.length, plan.join('\n')).toBeGreaterThan(0);
      expect(Math.max(...probes), plan.join('\n')).toBeLessThan(500);
      // Nothing in the expression is parallel-restricted (no initplan inside a correlated subplan).
      const parallel = await asTenant(client, '1', async () => {
        await client.query(`set local parallel_setup_cost = 0; set local parallel_tuple_cost = 0;
                            set local min_parallel_table_scan_size = 0; set local max_parallel_workers_per_gather = 2`);
        return (await client.query(`explain (costs off) select sum(${call.s}) from public.trim_cost t`))
          .rows.map((r) => r['QUERY PLAN'] as string).join('\n');
      });
      expect(parallel).toMatch(/Parallel Seq Scan on trim_cost/);
    } finally {
      await client.query('drop table public.trim_cost');
    }
  });
});

describe('declaring zones', () => {
  it.each([
    ['a latitude out of range', 'privacy.add_location_zone(91, 18, 300)'],
    ['no centre', 'privacy.add_location_zone(null, 18, 300)'],
    ['a radius of 0', 'privacy.add_location_zone(59, 18, 0)'],
    ['a radius over 50 km', 'privacy.add_location_zone(59, 18, 60000)'],
    ['a spread out of range', 'privacy.add_location_zone(59, 18, 300, spread => 5)'],
    ['a subject type without its id', `privacy.add_location_zone(59, 18, 300, subject_type => 'device')`],
  ])('refuses %s (PV501)', async (_, call) => {
    await expect(client.query(`select ${call}`)).rejects.toMatchObject({ code: 'PV501' });
  });

  it('refuses to drop a zone that does not exist (PV503)', async () => {
    await expect(client.query('select privacy.drop_location_zone(-1)')).rejects.toMatchObject({ code: 'PV503' });
  });

  it('records zones in the ledger without their place or subject', async () => {
    const { rows } = await client.query(`select object, detail from privacy.ledger where action = 'location_zone_added' order by id limit 1`);
    expect(rows[0]).toEqual({ object: `privacy.location_zone ${firstZoneId}`, detail: { subject_type: 'device', radius_m: 300 } });
  });
});

describe('who may see and change zones', () => {
  it('an admin declares, lists and drops zones without any privilege on the zone table', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (c) => {
      const id = (await c.query('select privacy.add_location_zone(59.9, 10.7, 400) as id')).rows[0].id;
      expect((await c.query('select radius_m from privacy.location_zones() where id = $1', [id])).rows).toEqual([{ radius_m: 400 }]);
      await c.query('select privacy.drop_location_zone($1)', [id]);
      await expect(c.query('select * from privacy.location_zone')).rejects.toMatchObject({ code: '42501' });
    });
  });

  it.each([
    ['read the zone table (it locates homes)', 'select * from privacy.location_zone'],
    ['list zones', 'select * from privacy.location_zones()'],
    ['add a zone', 'select privacy.add_location_zone(59, 18, 300)'],
    ['drop zones', `select privacy.drop_location_zones('device', '101')`],
    ['test points against every tenant\'s zones', 'select privacy.in_location_zone_of(59, 18, null)'],
    ['run the anonymizing trim', `select privacy.anonymize_geo_trim(59::float8, '{"axis": "lat"}', 18, null)`],
  ])('an application login may not %s', async (_, sql) => {
    const app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await asRole(app, async (c) => {
      await expect(c.query(sql)).rejects.toMatchObject({ code: '42501' });
    });
  });
});
