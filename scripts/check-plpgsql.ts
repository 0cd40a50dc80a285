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

const serverUrl = process.env['DATABASE_URL'];
if (!serverUrl) {
  console.error('check-plpgsql: set DATABASE_URL to a server with the plpgsql_check extension');
  process.exit(2);
}

// Trigger functions are checked against a table they are attached to; those with transition
// tables get their names (of all its triggers), which plpgsql_check cannot see otherwise.
const checkQuery = `
  select p.oid::regprocedure::text as function, r.level, r.lineno, r.message
  from pg_proc p
  join pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql'
  cross join lateral (
    select min(t.tgrelid::int8)::oid as relid, max(t.tgnewtable) as new_table, max(t.tgoldtable) as old_table
    from pg_trigger t where t.tgfoid = p.oid having count(*) > 0
    union all
    select 0, null, null where p.prorettype <> 'trigger'::regtype
    limit 1) target
  cross join lateral plpgsql_check_function_tb(p.oid, target.relid, fatal_errors => false,
                                               newtable => target.new_table, oldtable => target.old_table) r
  where p.pronamespace = 'privacy'::regnamespace and p.prorettype <> 'event_trigger'::regtype
  order by 1, 3`;

const name = `integritet_plpgsql_check_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client(serverUrl);
await admin.connect();
await admin.query(`create database ${name}`);
let failing = 0;
try {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateUp(url.toString());
  const db = new pg.Client(url.toString());
  await db.connect();
  try {
    await db.query('create extension plpgsql_check');
    const { rows } = await db.query<{ function: string; level: string; lineno: number | null; message: string }>(checkQuery);
    const functions = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_proc p join pg_language l on l.oid = p.prolang
       where l.lanname = 'plpgsql' and p.pronamespace = 'privacy'::regnamespace`);
    for (const row of rows) {
      const fails = row.level === 'error' || row.level === 'warning';
      if (fails) failing += 1;
      console.log(`${fails ? 'FAIL' : 'note'} ${row.level.padEnd(13)} ${row.function}${row.lineno ? `:${row.lineno}` : ''} ${row.message}`);
    }
    console.log(`plpgsql_check: ${functions.rows[0]?.n ?? 0} functions checked, ${failing} errors or warnings`);
  } finally {
    await db.end();
  }
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
process.exit(failing > 0 ? 1 : 0);
