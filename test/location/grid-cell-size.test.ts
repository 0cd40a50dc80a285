// geo_grid: a point becomes the centre of its cell, and a cell measures the stated metres in
// both directions whatever the latitude (the plain `grid` sizes longitudes at one reference
// latitude only). Distances are measured with Vincenty's formula on the WGS84 ellipsoid.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';
import { metresBetween } from './geodesy.ts';

const db = useTestDatabase('base');

/** The geo_grid strategy as a generator writes it: value, constant parameters, the pair. */
const GRID = (axis: 'lat' | 'lon', meters: number, value: string, pair: string) =>
  `privacy.mask_geo_grid(${value}, '${JSON.stringify({ axis, meters, pair_column: axis === 'lat' ? 'lon' : 'lat' })}'::jsonb, ${pair}, null)`;

interface Snapped {
  lat: number;
  lon: number;
  cellLat: number;
  cellLon: number;
}

/** Points on a fine lattice around (lat, lon) spanning a few cells, with their cell centres. */
async function snapAround(lat: number, lon: number, meters: number): Promise<Snapped[]> {
  const { rows } = await db.pool().query<Snapped>(`
    select p.lat, p.lon, ${GRID('lat', meters, 'p.lat', 'p.lon')} as "cellLat", ${GRID('lon', meters, 'p.lon', 'p.lat')} as "cellLon"
    from (select $1::float8 + i * $3::float8 as lat, $2::float8 + j * $4::float8 as lon
          from generate_series(-60, 60) i, generate_series(-60, 60) j) p`,
    // Steps of a twentieth of a cell, so that every cell holds many points.
    [lat, lon, meters / 111_000 / 20, meters / (111_000 * Math.cos((lat * Math.PI) / 180)) / 20]);
  return rows;
}

const sortedDistinct = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

describe.each([55, 68])('geo_grid at latitude %i', (latitude) => {
  it.each([1000, 250])('cells of %i m measure that (±1 %) north-south and east-west', async (meters) => {
    const points = await snapAround(latitude, 18.3, meters);

    const bandLats = sortedDistinct(points.map((p) => p.cellLat));
    expect(bandLats.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < bandLats.length - 1; i++) {
      expect(Math.abs(metresBetween(bandLats[i - 1]!, 18.3, bandLats[i]!, 18.3) / meters - 1)).toBeLessThan(0.01);
    }

    // Within one band, the cells' centres along the parallel of the band's centre.
    const band = bandLats[Math.floor(bandLats.length / 2)]!;
    const cellLons = sortedDistinct(points.filter((p) => p.cellLat === band).map((p) => p.cellLon));
    expect(cellLons.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < cellLons.length; i++) {
      expect(Math.abs(metresBetween(band, cellLons[i - 1]!, band, cellLons[i]!) / meters - 1)).toBeLessThan(0.01);
    }
  });

  it('puts every point in the cell whose centre it gets, the same centre for the whole cell', async () => {
    const meters = 500;
    const points = await snapAround(latitude, 18.3, meters);
    const bands = sortedDistinct(points.map((p) => p.cellLat));
    const halfHeight = (bands[1]! - bands[0]!) / 2;
    for (const p of points) {
      expect(Math.abs(p.lat - p.cellLat)).toBeLessThanOrEqual(halfHeight * (1 + 1e-9));
    }
    // Every point of a band has a centre on the band's lattice of longitudes: a cell's centre
    // depends on the cell only, never on where in it the point was.
    for (const band of bands) {
      const lons = sortedDistinct(points.filter((p) => p.cellLat === band).map((p) => p.cellLon));
      const width = lons[1]! - lons[0]!;
      for (const lon of lons) expect(Math.abs(Math.round((lon - lons[0]!) / width) * width - (lon - lons[0]!))).toBeLessThan(1e-9);
      for (const p of points.filter((q) => q.cellLat === band)) expect(Math.abs(p.lon - p.cellLon)).toBeLessThanOrEqual((width / 2) * (1 + 1e-9));
    }
  });
});

describe('geo_grid in corner cases', () => {
  it('is idempotent: a cell centre is the centre of its own cell', async () => {
    const { rows } = await db.pool().query<{ same: boolean }>(`
      select ${GRID('lat', 700, 'c.lat', 'c.lon')} = c.lat and ${GRID('lon', 700, 'c.lon', 'c.lat')} = c.lon as same
      from (select ${GRID('lat', 700, 'p.lat', 'p.lon')} as lat, ${GRID('lon', 700, 'p.lon', 'p.lat')} as lon
            from (select -89 + 178 * random() as lat, -180 + 360 * random() as lon from generate_series(1, 2000)) p) c`);
    expect(rows.every((r) => r.same)).toBe(true);
  });

  it('stays within ±90° and ±180°, near the poles and the antimeridian', async () => {
    const { rows } = await db.pool().query<{ lat: number; lon: number }>(`
      select ${GRID('lat', 50000, 'p.lat', 'p.lon')} as lat, ${GRID('lon', 50000, 'p.lon', 'p.lat')} as lon
      from (values (90::float8, 180::float8), (-90, -180), (89.9999, 179.9999), (-89.9999, 0)) p(lat, lon)`);
    for (const r of rows) {
      expect(Math.abs(r.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(r.lon)).toBeLessThanOrEqual(180);
    }
  });

  it('gives NULL for a NULL coordinate, and for a longitude without its latitude', async () => {
    const { rows } = await db.pool().query(`
      select ${GRID('lat', 1000, 'null::float8', '18.0')} as a, ${GRID('lon', 1000, '18.0', 'null::float8')} as b,
             privacy.mask_geo_grid(18.0, '{"axis": "lon", "meters": 1000}') as c`);
    expect(rows[0]).toEqual({ a: null, b: null, c: null });
  });
});
