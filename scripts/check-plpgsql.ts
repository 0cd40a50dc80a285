/**
 * Runs plpgsql_check over every PL/pgSQL function of the `privacy` schema, on a scratch database
 * of the server in DATABASE_URL with the toolkit migrated in. Prints each error and warning
 * (function, line, message) and exits 1 when there is any; "extra" warnings and performance hints
 * are printed but do not fail. Needs the plpgsql_check extension on the server (Debian:
 * postgresql-15-plpgsql-check, which .ci/run installs).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node scripts/check-plpgsql.ts
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateUp } from '../src/migrate/migrator.ts';
import { findingLine, plpgsqlCheckAvailable, plpgsqlReport } from './plpgsql-findings.ts';

const serverUrl = process.env['DATABASE_URL'];
if (!serverUrl) {
  console.error('check-plpgsql: set DATABASE_URL to a server with the plpgsql_check extension');
  process.exit(2);
}

const name = `integritet_plpgsql_check_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client(serverUrl);
await admin.connect();
if (!(await plpgsqlCheckAvailable(serverUrl))) {
  console.error('check-plpgsql: the server has no plpgsql_check extension (Debian: postgresql-15-plpgsql-check)');
  await admin.end();
  process.exit(2);
}
await admin.query(`create database ${name}`);
let failing = 0;
try {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateUp(url.toString());
  const report = await plpgsqlReport(url.toString());
  for (const finding of report.findings) {
    if (finding.fails) failing += 1;
    console.log(findingLine(finding));
  }
  console.log(`plpgsql_check: ${report.functions} functions checked, ${failing} errors or warnings`);
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
process.exit(failing > 0 ? 1 : 0);
