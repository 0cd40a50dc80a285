/**
 * Command line: installs the tracking schema into a database (unless it is there already) and seeds it.
 *
 *   node examples/tracking/load.ts postgres://postgres@127.0.0.1:5432/tracking --scale 1 --seed 1
 *
 * Prints the summary and how long seeding took, as JSON.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { installTrackingSchema, seedTracking } from './seed.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    'as-of': { type: 'string' },
  },
});
const url = positionals[0] ?? process.env['DATABASE_URL'];
if (url === undefined) {
  console.error('usage: node examples/tracking/load.ts <postgres-url> [--scale 1] [--seed 1] [--as-of 2026-06-30T12:00:00Z]');
  process.exit(2);
}

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const installed = await client.query(`select to_regclass('public.customer') is not null as installed`);
  if (!installed.rows[0]?.installed) await installTrackingSchema(client);
  const started = performance.now();
  const summary = await seedTracking(client, {
    scale: Number(values.scale),
    seed: Number(values.seed),
    ...(values['as-of'] === undefined ? {} : { asOf: new Date(values['as-of']) }),
  });
  console.log(JSON.stringify({ ...summary, seconds: Math.round(performance.now() - started) / 1000 }, null, 2));
} finally {
  await client.end();
}
