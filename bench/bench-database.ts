import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { provisionDatabase, type ProvisionedDatabase } from '../src/database/provision.ts';
import { migrateUp } from '../src/migrate/migrator.ts';

/** A fresh database with the toolkit installed, on DATABASE_URL's server or embedded PostgreSQL. */
export interface BenchDatabase {
  server: ProvisionedDatabase;
  name: string;
  url: string;
  /** Superuser client on the bench database. */
  client: pg.Client;
  /** Drops the database and stops what was started. */
  close(): Promise<void>;
}

/** Provisions the server, creates a database named `integritet_bench_<random>` and migrates it. */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const server = await provisionDatabase({ log: (line) => console.error(`  ${line}`) });
  const name = `integritet_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  await migrateUp(url.toString());
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    server, name, url: url.toString(), client,
    async close() {
      await client.end().catch(() => undefined);
      const again = new pg.Client({ connectionString: server.url });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
      await server.stop();
    },
  };
}

/** A login role for the duration of a benchmark, dropped by the returned function. */
export async function benchLoginRole(db: BenchDatabase, memberOf: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const role = `bench_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await db.client.query(`create role ${role} login password '${password}' in role ${memberOf}`);
  await db.client.query(`alter role ${role} set search_path = masked, public`);
  await db.client.query(`grant connect on database ${db.name} to ${role}`);
  const url = new URL(db.url);
  url.username = role;
  url.password = password;
  return {
    name: role,
    url: url.toString(),
    async drop() {
      await db.client.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${role}'`);
      await db.client.query(`drop owned by ${role}; drop role ${role}`);
    },
  };
}
