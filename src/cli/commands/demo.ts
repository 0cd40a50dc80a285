import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import pg from 'pg';
import { installTrackingSchema, seedTracking } from '../../../examples/tracking/seed.ts';
import { provisionDatabase } from '../../database/provision.ts';
import { migrateUp, migrationStatus } from '../../migrate/migrator.ts';
import { textTable } from '../text-table.ts';

function databaseIn(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function run(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * `integritet demo`: installs the toolkit into a fresh database (embedded PostgreSQL unless
 * DATABASE_URL names a server), loads the reference tracking schema and shows the result.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('install into a fresh database (embedded PostgreSQL unless DATABASE_URL is set) and show it')
    .option('--scale <n>', 'size of the generated tracking data (1 = 50 customers, 100k positions)', '0.2')
    .option('--keep', 'keep the demo database (and the embedded server) running until Ctrl-C')
    .addHelpText('after', '\nExamples:\n  $ npx integritet demo\n  $ DATABASE_URL=postgres://postgres@localhost/postgres npx integritet demo --keep')
    .action(async (options: { scale: string; keep?: boolean }) => {
      const scale = Number(options.scale);
      if (!(scale > 0)) throw new Error(`--scale must be a positive number, not ${options.scale}`);
      const started = Date.now();
      const server = await provisionDatabase({ log: (line) => console.log(`  ${line}`) });
      const name = `integritet_demo_${randomBytes(4).toString('hex')}`;
      const url = databaseIn(server.url, name);
      try {
        console.log(`PostgreSQL: ${server.serverVersion} (${server.kind})`);
        await run(server.url, `create database ${name}`);
        console.log(`\n1. Installing the toolkit into database ${name}`);
        await migrateUp(url, { log: (line) => console.log(`  ${line}`) });

        console.log('\n2. Loading the reference tracking schema with generated data');
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await installTrackingSchema(client);
          const summary = await seedTracking(client, { scale });
          console.log(textTable(['table', 'rows'], Object.entries(summary.rows).map(([t, n]) => [t, String(n)])));

          console.log('\n3. migrate status');
          const states = await migrationStatus(url);
          console.log(textTable(['migration', 'kind', 'state'], states.map((s) => [s.name, s.kind, s.state])));

          console.log('\n4. The privacy catalog');
          const categories = await client.query<{ name: string; personal: boolean }>(
            'select name, personal from privacy.category order by personal, name');
          console.log(`categories: ${categories.rows.map((c) => c.name).join(', ')}`);
          const strategies = await client.query<{ name: string }>('select name from privacy.strategy order by name');
          console.log(`strategies: ${strategies.rows.map((s) => s.name).join(', ')}`);
          const minimums = await client.query<{ name: string; law: string }>('select name, law from privacy.statutory_minimum');
          console.log(`statutory minimums: ${minimums.rows.map((m) => `${m.name} (${m.law})`).join(', ')}`);
        } finally {
          await client.end();
        }
        console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
        if (options.keep) {
          console.log(`\nKept running: psql "${url}"\nPress Ctrl-C to stop.`);
          await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
        }
      } finally {
        await run(server.url, `drop database if exists ${name} with (force)`).catch(() => undefined);
        await server.stop();
      }
    });
}
