/**
 * Prints docs/sql-reference.md: the reference of the `privacy` schema, rendered from its
 * `COMMENT ON` texts. Installs the toolkit into a scratch database of the server in DATABASE_URL,
 * reads it, and drops the database.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node scripts/sql-reference.ts > docs/sql-reference.md
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateUp } from '../src/migrate/migrator.ts';
import { sqlReferencePage } from './sql-reference-page.ts';

const serverUrl = process.env['DATABASE_URL'];
if (!serverUrl) {
  console.error('sql-reference: set DATABASE_URL to a server where a scratch database may be created');
  process.exit(2);
}

const name = `integritet_sql_reference_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client(serverUrl);
await admin.connect();
await admin.query(`create database ${name}`);
try {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateUp(url.toString());
  process.stdout.write(await sqlReferencePage(url.toString()));
} finally {
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
}
