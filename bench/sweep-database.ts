import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateUp } from '../src/migrate/migrator.ts';

/** A scratch database (`scratch_sweep_<random>`) with the toolkit installed, for the sweep benchmark. */
export interface SweepBenchDatabase {
  url: string;
  client: pg.Client;
  /** Drops the database. */
  close(): Promise<void>;
}

/** Creates and migrates the scratch database on the server of `serverUrl`. */
export async function openSweepBenchDatabase(serverUrl: string): Promise<SweepBenchDatabase> {
  const name = `scratch_sweep_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateUp(url.toString());
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    client,
    async close() {
      await client.end().catch(() => undefined);
      const again = new pg.Client({ connectionString: serverUrl });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

/**
 * Creates `public.<table>`: `rows` GPS fixes, the first `expired` of them 40 days old and more
 * (one second apart), the rest from the last few days; with the primary key and, when
 * `anchorIndex`, the (recorded_at, id) index a retention policy would create.
 */
export async function createFixTable(client: pg.ClientBase, table: string, rows: number, expired: number,
                                     anchorIndex: boolean): Promise<void> {
  await client.query(`
    create table public.${table} (id bigint not null, device_id int not null, recorded_at timestamptz not null,
                                  lat float8 not null, lon float8 not null, speed_kmh real, note text);
    insert into public.${table}
      select g, g % 500,
             case when g <= ${expired} then now() - interval '40 days' - (${expired} - g) * interval '1 second'
                  else now() - (${rows} - g) * (interval '5 days' / ${Math.max(rows - expired, 1)}) end,
             59.000123 + g % 997 / 1000.0, 18.000456 + g % 991 / 1000.0, g % 120, 'driver ' || (g % 1000)
      from generate_series(1, ${rows}) g;
    alter table public.${table} add primary key (id);
    ${anchorIndex ? `create index on public.${table} (recorded_at, id);` : ''}`);
  await client.query(`vacuum analyze public.${table}`);
}
