import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { asText, attempt } from './fixture.ts';
import {
  createRentalApp, namedFix, protectNaively, rawValuesIn, verifyFindings, type RentalSecrets,
} from './rental-fixture.ts';

// Objects that copy personal values where the masks do not reach: a rule, a foreign server that
// loops back into the database, a publication, statement text in statistics and logs. The
// schema's owner made them; verify names each, and the fix it names closes the route.
const db = useTestDatabase('rental');
let secrets: RentalSecrets;
let app: LoginRole;

beforeAll(async () => {
  secrets = await protectNaively(db);
  app = await createRentalApp(db);
});

async function asApp(work: (client: pg.Client) => Promise<{ rows: unknown[]; error?: pg.DatabaseError }>) {
  return asRole(app, async (client) => {
    await client.query('begin');
    await client.query(`select privacy.set_tenant('1')`);
    try {
      return await work(client);
    } finally {
      await client.query('rollback');
    }
  });
}

async function findings(check: string) {
  return (await verifyFindings(db)).filter((f) => f.check_name === check);
}

describe('copying personal values out of reach of the masks', () => {
  it('a rule on a protected table copies the hidden personnummer into a table the app reads: verify names it high', async () => {
    await db.pool().query(`
      create table customer_audit (like customer);
      create rule audit_changes as on update to customer do also insert into customer_audit select old.*`);
    const own = await db.pool().query<{ id: number; personnummer: string }>(
      'select customer_id as id, personnummer from customer where store_id = 1 order by customer_id limit 1');
    const { id, personnummer } = own.rows[0]!;
    const copy = async () => asApp(async (client) => {
      await client.query('update customer set activebool = activebool where customer_id = $1', [id]);
      return attempt(client, 'select personnummer from public.customer_audit');
    });
    expect(asText(await copy()), 'the rule copies the raw value').toContain(personnummer);

    const [rule] = await findings('rule_on_protected_table');
    expect(rule).toMatchObject({ severity: 'high', object: 'audit_changes on public.customer' });
    await db.pool().query(namedFix(rule!));
    expect(asText(await copy())).not.toContain(personnummer);
    expect(await findings('rule_on_protected_table')).toEqual([]);
  });

  it('a postgres_fdw server looping back into this database reads raw rows as the mapped user: verify names it high', async () => {
    const available = await db.pool().query(`select from pg_available_extensions where name = 'postgres_fdw'`);
    expect(available.rowCount, 'postgres_fdw ships with PostgreSQL').toBe(1);
    const url = new URL(db.url);
    await db.pool().query(`
      create extension if not exists postgres_fdw;
      create server loopback foreign data wrapper postgres_fdw
        options (host '${url.hostname}', port '${url.port || '5432'}', dbname '${db.name}');
      create user mapping for public server loopback
        options (user '${decodeURIComponent(url.username)}', password '${decodeURIComponent(url.password)}', password_required 'false');
      create foreign table customer_remote (first_name text, last_name text, email text, personnummer text)
        server loopback options (schema_name 'public', table_name 'customer');
      grant select on customer_remote to rental_app;
      grant usage on foreign server loopback to rental_app`);
    const read = async () => asApp((client) => attempt(client, 'select * from public.customer_remote'));
    expect(rawValuesIn(asText(await read()), secrets).length, 'every store, raw').toBeGreaterThan(50);

    const [server] = await findings('foreign_server_loops_back');
    expect(server).toMatchObject({ severity: 'high', object: 'loopback' });
    expect(namedFix(server!)).toBe('drop user mapping for public server loopback');
    await db.pool().query(namedFix(server!));
    expect(rawValuesIn(asText(await read()), secrets)).toEqual([]);
    expect(await findings('foreign_server_loops_back')).toEqual([]);
  });

  it('a publication of a protected table ships raw rows to subscribers: verify names it high', async () => {
    await db.pool().query('create publication everything_customer for table customer, film');
    const published = await findings('publication_ships_protected_table');
    expect(published.map((f) => `${f.severity} ${f.object} ${namedFix(f)}`)).toEqual([
      'high everything_customer: public.customer alter publication everything_customer drop table public.customer',
    ]);
    await db.pool().query(namedFix(published[0]!));
    expect(await findings('publication_ships_protected_table')).toEqual([]);
    await db.pool().query('drop publication everything_customer');
  });

  it('a login in pg_read_all_stats reads the statement text of a staff session with its literal values: verify names it high', async () => {
    const phone = secrets.values.find((v) => v.startsWith('070-'))!;
    const staff = new pg.Client(db.url);
    await staff.connect();
    const running = staff.query(`select pg_sleep(1.5), '${phone}' as phone`);
    const peek = async () => asApp((client) => attempt(client,
      `select query from pg_stat_activity where query like '%pg_sleep(1.5)%' and pid <> pg_backend_pid()`));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(asText(await peek()), 'an ordinary login sees no other role\'s text').not.toContain(phone);
      await db.pool().query(`grant pg_read_all_stats to "${app.name}"`);
      expect(asText(await peek())).toContain(phone);
    } finally {
      await running;
      await staff.end();
    }
    const [finding] = await findings('masked_login_reads_all_statements');
    expect(finding).toMatchObject({ severity: 'high', object: app.name });
    await db.pool().query(namedFix(finding!).replace(/ \(or .*$/, ''));
    expect(await findings('masked_login_reads_all_statements')).toEqual([]);
  });

  it('two sessions of one application login see each other\'s statement text: verify says so (low)', async () => {
    const email = 'someone.else@example.se';
    const other = await app.connect();
    const running = other.query(`select pg_sleep(1.5), '${email}' as email`);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const seen = await asApp((client) => attempt(client,
        `select query from pg_stat_activity where query like '%pg_sleep(1.5)%' and pid <> pg_backend_pid()`));
      expect(asText(seen)).toContain(email);
    } finally {
      await running;
      await other.end();
    }
    // Other files' logins share the cluster's privacy_masked: look at this file's own.
    const own = (await findings('masked_login_sees_own_sessions')).filter((f) => f.object === app.name);
    expect(own.map((f) => f.severity)).toEqual(['low']);
  });

  it('pg_stat_statements readable by the app and statements written to the log are named', async () => {
    await db.pool().query('create extension if not exists pg_stat_statements');
    const [stats] = await findings('statement_statistics_readable');
    expect(stats).toMatchObject({ severity: 'medium', object: 'public.pg_stat_statements' });
    expect(namedFix(stats!)).toBe('revoke select on public.pg_stat_statements from public, rental_app');
    await db.pool().query(namedFix(stats!));
    expect(await findings('statement_statistics_readable')).toEqual([]);

    const admin = new pg.Client(db.url);
    await admin.connect();
    try {
      await admin.query(`set log_statement = 'mod'; set log_min_duration_statement = 0`);
      const { rows } = await admin.query(`select severity, object from privacy.verify() where check_name = 'statements_logged' order by object`);
      expect(rows).toEqual([
        { severity: 'medium', object: 'log_min_duration_statement' },
        { severity: 'medium', object: 'log_statement' },
      ]);
    } finally {
      await admin.end();
    }
  });
});
