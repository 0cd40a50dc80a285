// The location strategies in use on the reference tracking schema: as read masks, an
// application login (privacy_masked) reads trips trimmed at privacy zones and positions with
// geo-indistinguishable noise through the masked views; as anonymization at expiry, a sweep
// generalises positions older than the keep period to grid cells and trims old trips, while
// newer rows stay as they were.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepUntil, sweepToEnd } from '../retention/retention-fixtures.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { geodesic, mean } from './geodesy.ts';

const db = useTestDatabase('tracking');
const EPSILON = 0.01;

let admin: pg.PoolClient;
let app: LoginRole;

interface Trip {
  id: string;
  customer_id: string;
  start_lat: number | null;
  start_lon: number | null;
  end_lat: number | null;
  end_lon: number | null;
}

/** Runs work as the application, in one transaction of tenant `tenant`, reading `masked` first. */
const asApp = <T>(tenant: string, work: (c: pg.Client) => Promise<T>) => asRole(app, async (c) => {
  await c.query('set search_path = masked, public');
  await c.query('begin');
  await c.query('select privacy.set_tenant($1)', [tenant]);
  try {
    return await work(c);
  } finally {
    await c.query('commit');
  }
});

/** Which points are in a privacy zone of tenant `tenant`, as the superuser sees it. */
async function inZone(tenant: string, points: [number | null, number | null][]): Promise<(boolean | null)[]> {
  await admin.query('begin');
  try {
    await admin.query('select privacy.set_tenant($1)', [tenant]);
    const { rows } = await admin.query<{ inside: boolean | null }>(
      'select privacy.in_location_zone(u.lat, u.lon) as inside from rows from (unnest($1::float8[]), unnest($2::float8[])) with ordinality as u(lat, lon, n) order by n',
      [points.map((p) => p[0]), points.map((p) => p[1])]);
    return rows.map((r) => r.inside);
  } finally {
    await admin.query('rollback');
  }
}

beforeAll(async () => {
  admin = await db.pool().connect();
  await admin.query(`
    select privacy.classify_column('position', c, 'not_personal')
      from unnest(array['id', 'customer_id', 'device_id', 'recorded_at', 'speed_kmh', 'heading', 'ignition']) c;
    select privacy.classify_column('position', 'lat', 'location',
      mask => 'geo_noise', mask_params => '{"axis": "lat", "epsilon": ${EPSILON}}',
      anonymize => 'geo_grid', anonymize_params => '{"axis": "lat", "meters": 1000}');
    select privacy.classify_column('position', 'lon', 'location',
      mask => 'geo_noise', mask_params => '{"axis": "lon", "pair_column": "lat", "epsilon": ${EPSILON}}',
      anonymize => 'geo_grid', anonymize_params => '{"axis": "lon", "pair_column": "lat", "meters": 1000}');
    select privacy.protect_table('position', tenant_column => 'customer_id');

    select privacy.classify_column('trip', c, 'not_personal')
      from unnest(array['id', 'customer_id', 'vehicle_id', 'device_id', 'started_at', 'ended_at', 'distance_km', 'purpose']) c;
    select privacy.classify_column('trip', c || '_lat', 'location',
      mask => 'geo_trim', mask_params => jsonb_build_object('axis', 'lat', 'pair_column', c || '_lon'),
      anonymize => 'geo_trim', anonymize_params => jsonb_build_object('axis', 'lat', 'pair_column', c || '_lon',
                                                                      'tenant_column', 'customer_id', 'meters', 1000))
      from unnest(array['start', 'end']) c;
    select privacy.classify_column('trip', c || '_lon', 'location',
      mask => 'geo_trim', mask_params => jsonb_build_object('axis', 'lon', 'pair_column', c || '_lat'),
      anonymize => 'geo_trim', anonymize_params => jsonb_build_object('axis', 'lon', 'pair_column', c || '_lat',
                                                                      'tenant_column', 'customer_id', 'meters', 1000))
      from unnest(array['start', 'end']) c;
    select privacy.protect_table('trip', tenant_column => 'customer_id');

    -- Homes and depots of customer 1: zones of 300 m around where ten of its trips start and
    -- five end; the same places of customer 2 get no zone.
    select privacy.add_location_zone(t.start_lat, t.start_lon, 300, subject_type => 'device',
                                     subject_id => t.device_id::text, tenant => '1')
      from (select * from trip where customer_id = 1 order by id limit 10) t;
    select privacy.add_location_zone(t.end_lat, t.end_lon, 300, tenant => '1')
      from (select * from trip where customer_id = 1 order by id desc limit 5) t;`);
  app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
});

afterAll(() => admin.release());

describe('read masks, as an application login', () => {
  it('reads trips of its tenant with every start and end in a zone trimmed, the rest as stored', async () => {
    const raw = (await admin.query<Trip>('select id, customer_id, start_lat, start_lon, end_lat, end_lon from public.trip where customer_id = 1 order by id')).rows;
    const masked = await asApp('1', async (c) => (await c.query<Trip>('select id, customer_id, start_lat, start_lon, end_lat, end_lon from trip order by id')).rows);
    expect(masked.map((t) => t.id)).toEqual(raw.map((t) => t.id));

    const startsInZone = await inZone('1', raw.map((t) => [t.start_lat, t.start_lon]));
    const endsInZone = await inZone('1', raw.map((t) => [t.end_lat, t.end_lon]));
    expect(startsInZone.filter(Boolean).length).toBeGreaterThanOrEqual(10);
    expect(endsInZone.filter(Boolean).length).toBeGreaterThanOrEqual(5);
    raw.forEach((r, i) => {
      const m = masked[i]!;
      const start = startsInZone[i] ? { start_lat: null, start_lon: null } : { start_lat: r.start_lat, start_lon: r.start_lon };
      const end = endsInZone[i] ? { end_lat: null, end_lon: null } : { end_lat: r.end_lat, end_lon: r.end_lon };
      expect(m).toEqual({ ...r, ...start, ...end });
    });
  });

  it('reads no zone itself: the view tests points against privacy.location_zone, the login may not read it', async () => {
    // The view's owner reads the zones to trim (sql/520); the application login gets only the
    // trimmed values, and reading the zone table, its centres or radii, is refused.
    const definition = (await admin.query<{ d: string }>(`select pg_get_viewdef('masked.trip') as d`)).rows[0]!.d;
    expect(definition).toMatch(/privacy\.location_zone/);
    for (const sql of ['select lat, lon, effective_radius_m from privacy.location_zone',
                       'select count(*) from privacy.location_zone', 'select bbox from privacy.location_zone limit 1']) {
      const error = await asApp('1', (c) => c.query(sql).then(() => undefined, (e: { code?: string }) => e));
      expect(error, sql).toMatchObject({ code: '42501' });
    }
  });

  it('sees another tenant\'s trips at the same kind of places untrimmed by the first tenant\'s zones', async () => {
    const raw = (await admin.query<Trip>('select id, customer_id, start_lat, start_lon, end_lat, end_lon from public.trip where customer_id = 2 order by id')).rows;
    const masked = await asApp('2', async (c) => (await c.query<Trip>('select id, customer_id, start_lat, start_lon, end_lat, end_lon from trip order by id')).rows);
    expect(masked).toEqual(raw);
  });

  it(`reads positions moved by noise of ε = ${EPSILON}/m: none as stored, each axis off by √2/ε on average`, async () => {
    const raw = (await admin.query<{ id: string; lat: number; lon: number }>(
      'select id, lat, lon from public.position where customer_id = 1 order by id')).rows;
    const masked = await asApp('1', async (c) => (await c.query<{ id: string; lat: number; lon: number }>(
      'select id, lat, lon from position order by id')).rows);
    expect(masked.map((p) => p.id)).toEqual(raw.map((p) => p.id));
    const north = raw.map((r, i) => geodesic(r.lat, r.lon, masked[i]!.lat, r.lon).distance);
    const east = raw.map((r, i) => geodesic(r.lat, r.lon, r.lat, masked[i]!.lon).distance);
    expect(raw.filter((r, i) => r.lat === masked[i]!.lat || r.lon === masked[i]!.lon)).toEqual([]);
    // 2,500 draws: the mean of |Laplace(b)| is b within a few per cent.
    expect(Math.abs(mean(north) / (Math.SQRT2 / EPSILON) - 1)).toBeLessThan(0.1);
    expect(Math.abs(mean(east) / (Math.SQRT2 / EPSILON) - 1)).toBeLessThan(0.1);
  });

  it('aggregates through its own rights: a heat map over the masked view counts its tenant\'s positions only', async () => {
    const own = Number((await admin.query(`select count(*) from public.position where customer_id = 1`)).rows[0].count);
    const cells = await asApp('1', async (c) => (await c.query<{ subjects: string; positions: string }>(
      `select subjects, positions from privacy.position_heatmap('position', 20000, 1, null, null)`)).rows);
    expect(cells.reduce((n, c) => n + Number(c.positions), 0)).toBe(own);
    const kAnon = await asApp('1', async (c) => (await c.query(
      `select subjects from privacy.k_anonymity('trip', array['purpose'], 'device_id')`)).rows[0]);
    const devices = (await admin.query(`select count(distinct device_id)::text as n from public.trip where customer_id = 1`)).rows[0].n;
    expect(kAnon).toEqual({ subjects: devices });
  });
});

describe('anonymization at expiry', () => {
  it('generalises positions older than the keep period to 1 km cells and leaves newer ones as they were', async () => {
    const { rows: [middle] } = await admin.query<{ at: string }>(
      `select (percentile_disc(0.5) within group (order by recorded_at))::text as at from public.position`);
    const keep = await keepUntil(admin, middle!.at);
    await admin.query(`select privacy.set_retention('position', anchor => 'recorded_at', keep => $1, action => 'anonymize')`, [keep]);
    const before = new Map((await admin.query<{ id: string; lat: number; lon: number }>('select id, lat, lon from public.position')).rows
      .map((r) => [r.id, r]));

    await sweepToEnd(admin, 'position');

    const after = (await admin.query<{ id: string; lat: number; lon: number; expired: boolean; cell_lat: number; cell_lon: number }>(`
      select id, lat, lon, recorded_at <= $1::timestamptz as expired,
             privacy.geo_grid_lat(lat, 1000) as cell_lat, privacy.geo_grid_lon(lat, lon, 1000) as cell_lon
      from public.position`, [middle!.at])).rows;
    const expired = after.filter((r) => r.expired);
    const kept = after.filter((r) => !r.expired);
    expect(expired.length).toBeGreaterThan(1000);
    expect(kept.length).toBeGreaterThan(1000);
    for (const r of expired) {
      const old = before.get(r.id)!;
      // A cell centre, and the centre of the cell the stored point was in.
      expect([r.lat, r.lon]).toEqual([r.cell_lat, r.cell_lon]);
      expect(geodesic(old.lat, old.lon, r.lat, r.lon).distance).toBeLessThan(1000 * Math.SQRT1_2 * 1.01);
    }
    for (const r of kept) expect([r.lat, r.lon]).toEqual([before.get(r.id)!.lat, before.get(r.id)!.lon]);
    // Points fall together: fewer distinct places than positions.
    expect(new Set(expired.map((r) => `${r.lat} ${r.lon}`)).size).toBeLessThan(expired.length * 0.75);
  });

  it('trims old trips at the zones of their own tenant and generalises the rest of their ends', async () => {
    const raw = (await admin.query<Trip & { started_at: Date }>('select * from public.trip order by id')).rows;
    const startsInZone = new Map<string, boolean>();
    for (const tenant of ['1', '2']) {
      const own = raw.filter((t) => t.customer_id === tenant);
      (await inZone(tenant, own.map((t) => [t.start_lat, t.start_lon]))).forEach((inside, i) => startsInZone.set(own[i]!.id, inside === true));
    }
    // Expire every trip.
    const keep = await keepUntil(admin, new Date(Math.max(...raw.map((t) => t.started_at.getTime())) + 1000).toISOString());
    await admin.query(`select privacy.set_retention('trip', anchor => 'started_at', keep => $1, action => 'anonymize')`, [keep]);
    await sweepToEnd(admin, 'trip');

    const after = new Map((await admin.query<Trip>('select id, customer_id, start_lat, start_lon, end_lat, end_lon from public.trip')).rows
      .map((t) => [t.id, t]));
    let trimmed = 0;
    for (const old of raw) {
      const now = after.get(old.id)!;
      if (startsInZone.get(old.id)) {
        trimmed += 1;
        expect([now.start_lat, now.start_lon]).toEqual([null, null]);
      } else {
        expect(now.start_lat).not.toBeNull();
        expect(geodesic(old.start_lat!, old.start_lon!, now.start_lat!, now.start_lon!).distance).toBeLessThan(1000 * Math.SQRT1_2 * 1.01);
      }
    }
    expect(trimmed).toBeGreaterThanOrEqual(10);
    expect(raw.filter((t) => t.customer_id === '2' && startsInZone.get(t.id))).toEqual([]);
  });
});
