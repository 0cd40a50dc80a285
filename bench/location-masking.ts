// Benchmark: throughput of each location strategy over 1M positions, in rows per second.
//   Each strategy's expression is the one a masked view or a sweep would run (privacy.strategy_call;
//   geo_noise's read mask as the masked view's SELECT, privacy.masked_view_sql),
//   applied to latitude and longitude over a full scan, one process (no parallel workers), after
//   one warm-up scan; a raw scan of the same columns is the baseline. Each case runs three times
//   and its median is reported: a single timed run moved by up to 2× with the machine's load. Also: trimming the trips
//   made of those positions (trim_trip), a heat map with small cells suppressed, k-anonymity.
// Run: node bench/location-masking.ts [rows]   (DATABASE_URL selects the server; default embedded)
import { openBenchDatabase } from './bench-database.ts';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const zones = 1000;
const pointsPerTrip = 100;
const db = await openBenchDatabase();
try {
  const { client } = db;
  console.error(`loading ${rows} positions and ${zones} privacy zones …`);
  // Devices each with a home; trips of 100 fixes leave from or come back to it; one in ten
  // devices has a zone (300 m) at home. Deterministic (setseed), spread over Sweden.
  await client.query(`
    select setseed(0.42);
    create table public.bench_home as
      select d as device_id, 55.4 + random() * 13.5 as lat, 11.2 + random() * 12.5 as lon from generate_series(1, ${zones * 10}) d;
    create table public.bench_position (
      id bigint primary key, customer_id int not null, device_id int not null, trip int not null,
      recorded_at timestamptz not null, lat double precision not null, lon double precision not null);
    insert into public.bench_position
      select i, 1, h.device_id, i / ${pointsPerTrip},
             timestamptz '2026-01-01' + i * interval '10 seconds',
             h.lat + (i % ${pointsPerTrip}) * 0.0004 * cos(h.device_id), h.lon + (i % ${pointsPerTrip}) * 0.0007 * sin(h.device_id)
      from generate_series(1, ${rows}) i
      join public.bench_home h on h.device_id = 1 + (i / ${pointsPerTrip}) % ${zones * 10};
    select count(privacy.add_location_zone(h.lat, h.lon, 300, tenant => '1')) from public.bench_home h where h.device_id % 10 = 0;`);
  await client.query('vacuum analyze public.bench_position');
  // The zones' statistics now, not whenever autovacuum comes: the plans of the geo_trim cases
  // depend on them.
  await client.query('analyze privacy.location_zone');

  const call = async (strategy: string, params: object, column: string, purpose: 'mask' | 'anonymize') =>
    (await client.query<{ sql: string }>(`select privacy.strategy_call($1, $2, $3, 'float8', $4) as sql`,
      [strategy, JSON.stringify(params), `t.${column}`, purpose])).rows[0]!.sql;
  const pair = async (strategy: string, params: object, purpose: 'mask' | 'anonymize' = 'mask') => [
    await call(strategy, { ...params, axis: 'lat', pair_column: 'lon' }, 'lat', purpose),
    await call(strategy, { ...params, axis: 'lon', pair_column: 'lat' }, 'lon', purpose),
  ];

  /** The SELECT of the masked view of bench_position with geo_noise on its point. */
  const maskedView = async () => {
    await client.query(`
      select privacy.classify_column('bench_position', 'lat', 'location', mask => 'geo_noise',
                                     mask_params => '{"axis": "lat", "epsilon": 0.01}');
      select privacy.classify_column('bench_position', 'lon', 'location', mask => 'geo_noise',
                                     mask_params => '{"axis": "lon", "pair_column": "lat", "epsilon": 0.01}');`);
    return (await client.query<{ sql: string }>(`select privacy.masked_view_sql('public', 'bench_position') as sql`)).rows[0]!.sql;
  };

  await client.query('set max_parallel_workers_per_gather = 0');
  /** Seconds of one run of `sql`, inside a transaction with tenant 1 set. */
  const time = async (sql: string) => {
    await client.query('begin');
    await client.query(`select privacy.set_tenant('1')`);
    const start = performance.now();
    await client.query(sql);
    const seconds = (performance.now() - start) / 1000;
    await client.query('rollback');
    return seconds;
  };
  const scan = (lat: string, lon: string) => `select count(*), sum(${lat}), sum(${lon}) from public.bench_position t`;

  console.error('warm-up …');
  await time(scan('t.lat', 't.lon'));
  const cases: [name: string, sql: string][] = [
    ['raw read of lat, lon (baseline)', scan('t.lat', 't.lon')],
    ['grid (sql/160, one column at a time), 1000 m',
      scan(await call('grid', { axis: 'lat', meters: 1000 }, 'lat', 'mask'), await call('grid', { axis: 'lon', meters: 1000 }, 'lon', 'mask'))],
    ['geo_grid read mask, 1000 m', scan(...(await pair('geo_grid', { meters: 1000 })) as [string, string])],
    // As the masked view reads it: one strong draw per point and row, shared by its two axes
    // (privacy.masked_view_sql over the columns classified above).
    ['geo_noise read mask, ε = 0.01/m', `select count(*), sum(v.lat), sum(v.lon) from (${await maskedView()}) v`],
    ['geo_noise read mask outside a view (a strong draw per axis)', scan(...(await pair('geo_noise', { epsilon: 0.01 })) as [string, string])],
    ['geo_noise anonymization (one keyed planar draw per point)', scan(...(await pair('geo_noise', { epsilon: 0.01 }, 'anonymize')) as [string, string])],
    ['geo_trim read mask (1000 zones)', scan(...(await pair('geo_trim', {})) as [string, string])],
    // The general function, as views ran geo_trim before sql/530 wrote the zone test into them:
    // a call of the definer in_location_zone per point.
    ['geo_trim through mask_geo_trim and the definer in_location_zone (1000 zones)',
      scan(`privacy.mask_geo_trim(t.lat, '{"axis": "lat", "pair_column": "lon"}'::jsonb, t.lon, null)`,
           `privacy.mask_geo_trim(t.lon, '{"axis": "lon", "pair_column": "lat"}'::jsonb, t.lat, null)`)],
    ['geo_trim + geo_grid 1000 m anonymization (1000 zones)', scan(...(await pair('geo_trim', { meters: 1000 }, 'anonymize')) as [string, string])],
    ['time read mask (hour) on recorded_at',
      `select count(*), max(${(await client.query(`select privacy.strategy_call('time', '{"unit": "hour"}', 't.recorded_at', 'timestamptz', 'mask') as s`)).rows[0].s}) from public.bench_position t`],
    [`trim_trip over ${rows / pointsPerTrip} trips of ${pointsPerTrip} points`, `
      select count(*) from (
        select t.trip, array_agg(t.lat order by t.recorded_at) as lats, array_agg(t.lon order by t.recorded_at) as lons
        from public.bench_position t group by t.trip) g
      cross join lateral privacy.trim_trip(g.lats, g.lons) k`],
    ['position_heatmap, 1000 m cells, k = 5', `select count(*) from privacy.position_heatmap('public.bench_position', 1000, 5, null, null)`],
    ['k_anonymity on (device_id, trip) by device', `select * from privacy.k_anonymity('public.bench_position', array['customer_id', 'trip'], 'device_id')`],
  ];

  const figures: Figure[] = [];
  let baseline = 0;
  for (const [name, sql] of cases) {
    console.error(`${name} …`);
    const runs = [await time(sql), await time(sql), await time(sql)].sort((a, b) => a - b);
    const seconds = runs[1]!;
    const perSecond = Math.round(rows / seconds);
    if (baseline === 0) baseline = seconds;
    const target = name.startsWith('geo_noise read mask,') ? '>= 300000' : name.startsWith('geo_trim read mask') ? '>= 100000' : undefined;
    figures.push({ metric: `${name} (${rows} positions)`, value: perSecond, unit: 'rows/s', target,
                   note: `median of 3 runs: ${runs.map((r) => r.toFixed(2)).join(', ')} s; ${(seconds / baseline).toFixed(1)}× the raw read's time` });
    console.log(`${name.padEnd(60)} ${String(perSecond).padStart(10)} rows/s  ${seconds.toFixed(2)} s`);
  }
  const file = writeBenchResult({
    name: 'location-masking', date: new Date().toISOString(), postgres: db.server.serverVersion,
    machine: machineDescription(), figures,
  });
  console.log(`written to ${file}`);
} finally {
  await db.close();
}
