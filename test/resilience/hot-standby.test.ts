import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reachableEmbeddedBinaries } from '../../src/database/embedded-binaries.ts';
import { postgresOsUser } from '../../src/database/postgres-os-user.ts';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { PG_BIN, startPrivateCluster, type PrivateCluster } from '../support/private-cluster.ts';
import { startStreamingReplica, type StreamingReplica } from '../support/streaming-replica.ts';
import { startCli } from './cli-process.ts';

// A hot standby of a primary with the toolkit installed: a streaming replica made with
// `pg_basebackup -R` (or the server's own backup functions where the binaries have no
// pg_basebackup) on a second cluster on loopback. What the application does there (set_tenant()
// in its read-only transactions, reads through the masked views) must hold as on the primary and
// write nothing, and what the sweeper and an erasure do on the primary must reach it.
//
// The server binaries are those of the suite's server: the machine's PostgreSQL 15 when the run
// has DATABASE_URL, the embedded PostgreSQL 18 otherwise.

const onEmbedded = !process.env.DATABASE_URL;
const binaries = await serverBinaries();
if (binaries.skip) console.warn(`hot-standby.test.ts skipped: ${binaries.skip}`);

let primary: PrivateCluster;
let replica: StreamingReplica;
const app = { name: 'standby_app', password: 'app-secret-1' };
const clients: pg.Client[] = [];

const SCHEMA = `
  create table public.customer (id bigint primary key, name text not null, email text not null, notes text);
  create table public.visit (id bigint primary key, customer_id bigint not null references public.customer,
                             at timestamptz not null, place text not null);
  insert into public.customer values
    (1, 'Astrid Lindqvist', 'astrid.lindqvist@example.se', 'prefers calls after five'),
    (2, 'Bertil Nyström', 'bertil.nystrom@example.se', 'disputes the March invoice'),
    (3, 'Cecilia Ek', 'cecilia.ek@example.se', 'asked to be forgotten');
  -- 100 visits per customer: the first 40 two years old (past retention), the rest recent.
  insert into public.visit
    select c * 1000 + g, c, case when g <= 40 then now() - interval '2 years' else now() - interval '1 day' end,
           'Storgatan ' || g
    from generate_series(1, 3) c, generate_series(1, 100) g;

  select privacy.classify_column('customer', 'id', 'not_personal');
  select privacy.classify_column('customer', 'name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
  select privacy.classify_column('customer', 'email', 'contact', mask => 'email');
  -- customer.notes stays unclassified: hidden by default.
  select privacy.protect_table('customer', tenant_column => 'id');
  select privacy.classify_column('visit', c, 'not_personal') from unnest(array['id', 'customer_id', 'at']) c;
  select privacy.classify_column('visit', 'place', 'location', mask => 'redact');
  select privacy.protect_table('visit', tenant_column => 'customer_id');
  select privacy.set_retention('visit', anchor => 'at', keep => '365 days', action => 'delete');
  select privacy.declare_subject_type('customer', 'customer', 'id');
  select privacy.link_subject('customer', 'visit', 'customer_id');
  analyze public.customer, public.visit;`;

async function serverBinaries(): Promise<{ directory: string; skip?: string }> {
  if (!onEmbedded) {
    return existsSync(path.join(PG_BIN, 'pg_ctl'))
      ? { directory: PG_BIN }
      : { directory: PG_BIN, skip: `no PostgreSQL server binaries in ${PG_BIN} (set INTEGRITET_PG_BIN)` };
  }
  try {
    const embedded = await reachableEmbeddedBinaries(await postgresOsUser());
    return { directory: path.dirname(embedded.postgres) };
  } catch (error) {
    return { directory: '', skip: `the embedded PostgreSQL binaries are not usable: ${(error as Error).message}` };
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client(url);
  client.on('error', () => {});
  await client.connect();
  clients.push(client);
  return client;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(url);
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function appUrl(url: string): string {
  const u = new URL(url);
  u.username = app.name;
  u.password = app.password;
  return u.toString();
}

beforeAll(async () => {
  if (binaries.skip) return;
  primary = await startPrivateCluster({ binDirectory: binaries.directory });
  await query(primary.url, 'create database app');
  await migrateUp(primary.urlOf('app'));
  await query(primary.urlOf('app'), SCHEMA);
  await query(primary.urlOf('app'), `
    create role ${app.name} login password '${app.password}' in role privacy_masked;
    alter role ${app.name} set search_path = masked, public;
    grant connect on database app to ${app.name};`);
  // Customer 2 disputes a claim: their rows are restricted (GDPR Art. 18), hidden from the application.
  await query(primary.urlOf('app'), `select privacy.restrict_subject('customer', '2', 'disputes the March invoice')`);
  replica = await startStreamingReplica(primary);
  await replica.caughtUp();
}, 240_000);

afterAll(async () => {
  for (const client of clients) await client.end().catch(() => undefined);
});

describe.skipIf(Boolean(binaries.skip))(`the toolkit on a hot standby (${onEmbedded ? 'embedded PostgreSQL 18' : 'PostgreSQL 15'})`, () => {
  it('is a streaming replica in recovery, made from a base backup of the primary', async () => {
    const [state] = await query<{ recovering: boolean; version: string }>(replica.urlOf('app'),
      `select pg_is_in_recovery() as recovering, current_setting('server_version_num') as version`);
    expect(state!.recovering).toBe(true);
    expect(Number(state!.version)).toBeGreaterThanOrEqual(onEmbedded ? 180000 : 150000);
    const [sender] = await query<{ state: string }>(primary.url, `select state from pg_stat_replication`);
    expect(sender?.state).toBe('streaming');
    expect(replica.madeWith).toBe(onEmbedded ? 'pg_backup_start' : 'pg_basebackup');
  });

  it('the application reads only its tenant, masked, in the read-only transactions of the standby', async () => {
    const client = await connect(appUrl(replica.urlOf('app')));
    await client.query('begin');
    const [tx] = (await client.query<{ read_only: string }>(`select current_setting('transaction_read_only') as read_only`)).rows;
    expect(tx!.read_only).toBe('on');
    await client.query(`select privacy.set_tenant('1')`);
    const customers = (await client.query('select id::int, name, email, notes from customer order by id')).rows;
    const visits = (await client.query<{ customers: number[]; n: number; places: string[] }>(`
      select array_agg(distinct customer_id::int) as customers, count(*)::int as n, array_agg(distinct place) as places
      from visit`)).rows[0]!;
    await client.query('commit');

    expect(customers).toEqual([{ id: 1, name: 'A***************', email: expect.stringMatching(/^\*+@example\.se$/), notes: null }]);
    expect(JSON.stringify(customers)).not.toContain('Astrid');
    expect(visits.customers).toEqual([1]);
    expect(visits.n).toBe(100);
    expect(visits.places.some((p) => p.includes('Storgatan'))).toBe(false);
  });

  it('without set_tenant(), or with a session-level tenant, the application sees no rows on the standby', async () => {
    const client = await connect(appUrl(replica.urlOf('app')));
    expect((await client.query('select count(*)::int as n from customer')).rows[0].n).toBe(0);
    await client.query(`set privacy.transaction_tenant = '1'`);
    expect((await client.query('select count(*)::int as n from customer')).rows[0].n).toBe(0);
    await client.query(`reset privacy.transaction_tenant`);
    // The stamp of an earlier transaction does not carry over to the next one either.
    await client.query(`begin; select privacy.set_tenant('1')`);
    const stamped = (await client.query<{ value: string }>(`select current_setting('privacy.transaction_tenant') as value`)).rows[0]!.value;
    await client.query('commit');
    await client.query(`select set_config('privacy.transaction_tenant', $1, false)`, [stamped]);
    expect((await client.query('select count(*)::int as n from visit')).rows[0].n).toBe(0);
  });

  it('the base tables stay out of reach on the standby: no raw personal column for the application', async () => {
    const client = await connect(appUrl(replica.urlOf('app')));
    await client.query(`begin; select privacy.set_tenant('1')`);
    await expect(client.query('select email from public.customer')).rejects.toThrow(/permission denied/);
    await client.query('rollback');
  });

  it('restricted rows stay hidden on the standby', async () => {
    const client = await connect(appUrl(replica.urlOf('app')));
    await client.query(`begin; select privacy.set_tenant('2')`);
    const seen = (await client.query<{ customers: number; visits: number }>(
      'select (select count(*)::int from customer) as customers, (select count(*)::int from visit) as visits')).rows[0]!;
    await client.query('commit');
    expect(seen).toEqual({ customers: 0, visits: 0 });
    // The rows are there: the superuser reads them on the standby.
    const [raw] = await query<{ n: number }>(replica.urlOf('app'), 'select count(*)::int as n from public.visit where customer_id = 2');
    expect(raw!.n).toBe(100);
  });

  it('set_tenant() and masked reads write nothing: on the primary, a transaction of them gets no transaction id', async () => {
    // (A transaction that wrote a row, a sequence or a temporary table would have one; WAL itself
    // is no measure: reading may set hint bits or prune a page, which PostgreSQL logs.)
    const client = await connect(appUrl(primary.urlOf('app')));
    await client.query('begin');
    await client.query(`select privacy.set_tenant('1')`);
    await client.query('select * from customer');
    await client.query('select count(*) from visit');
    const [tx] = (await client.query<{ xid: string | null }>('select pg_current_xact_id_if_assigned()::text as xid')).rows;
    await client.query('commit');
    expect(tx!.xid).toBeNull();
  });

  it('a sweep run on the primary reaches the standby once it has replayed the WAL', async () => {
    const [due] = await query<{ n: number }>(replica.urlOf('app'), `select count(*)::int as n from public.visit where at < now() - interval '365 days'`);
    expect(due!.n).toBe(120);
    const swept = await query<{ relation: string; row_count: string }>(primary.urlOf('app'),
      `select relation, row_count from privacy.sweep(max_batches => 100) where row_count > 0`);
    expect(swept.length).toBeGreaterThan(0);
    await replica.caughtUp();
    const onReplica = await query<{ id: string }>(replica.urlOf('app'), 'select id::text from public.visit order by id');
    const onPrimary = await query<{ id: string }>(primary.urlOf('app'), 'select id::text from public.visit order by id');
    expect(onReplica).toEqual(onPrimary);
    // Customer 2's old visits are restricted: a sweep leaves them (restriction keeps them).
    const [left] = await query<{ n: number }>(replica.urlOf('app'),
      `select count(*)::int as n from public.visit where at < now() - interval '365 days' and customer_id <> 2`);
    expect(left!.n).toBe(0);
    // The sweep's ledger entry is on the standby too.
    const [entry] = await query<{ n: number }>(replica.urlOf('app'), `select count(*)::int as n from privacy.ledger where action like 'sweep%'`);
    expect(entry!.n).toBeGreaterThan(0);
  });

  it('an erasure run on the primary reaches the standby, and the application there sees the erased state', async () => {
    const before = await query(replica.urlOf('app'), 'select * from public.customer where id = 3');
    await query(primary.urlOf('app'), `select * from privacy.erase_subject('customer', '3', 'asked to be forgotten')`);
    await replica.caughtUp();
    const onReplica = await query(replica.urlOf('app'), 'select * from public.customer where id = 3');
    const onPrimary = await query(primary.urlOf('app'), 'select * from public.customer where id = 3');
    expect(onReplica).toEqual(onPrimary);
    expect(onReplica).not.toEqual(before);
    expect(JSON.stringify(onReplica)).not.toContain('cecilia.ek@example.se');
    const visitsOnReplica = await query(replica.urlOf('app'), 'select * from public.visit where customer_id = 3 order by id');
    expect(visitsOnReplica).toEqual(await query(primary.urlOf('app'), 'select * from public.visit where customer_id = 3 order by id'));

    const client = await connect(appUrl(replica.urlOf('app')));
    await client.query(`begin; select privacy.set_tenant('3')`);
    const seen = (await client.query('select name, email from customer')).rows;
    await client.query('commit');
    expect(JSON.stringify(seen)).not.toContain('Cecilia');
  });

  it('what writes says so on the standby: an export (it writes the ledger) fails with PostgreSQL\'s read-only error', async () => {
    await expect(query(replica.urlOf('app'), `select privacy.export_subject('customer', '1')`))
      .rejects.toThrow(/read-only transaction/);
  });

  it('integritet status reads the standby without writing', async () => {
    const { code, stdout, stderr } = await startCli(['status'], replica.urlOf('app')).exited;
    expect(stderr).toBe('');
    expect(stdout).toMatch(/public\.visit +delete +365 days .* done +120/);
    expect(stdout).toContain('nothing needs attention');
    expect(code).toBe(0);
  });

  it('integritet verify reads the standby as it reads the primary', async () => {
    const [onReplica, onPrimary] = await Promise.all([
      startCli(['verify'], replica.urlOf('app')).exited,
      startCli(['verify'], primary.urlOf('app')).exited,
    ]);
    expect(onReplica.stderr).toBe('');
    expect(onReplica.stdout).toContain('unclassified_column             public.customer.notes');
    expect(onReplica.stdout).toBe(onPrimary.stdout);
    expect(onReplica.code).toBe(onPrimary.code);
  });

  it('commands that write, run against the standby, end with one line and say where to run them', async () => {
    for (const args of [['sweep'], ['subject', 'export', 'customer', '1']]) {
      const { code, stdout, stderr } = await startCli(args, replica.urlOf('app')).exited;
      expect(code, args.join(' ')).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^integritet: cannot execute (INSERT|UPDATE|DELETE) in a read-only transaction$/),
        expect.stringMatching(/^hint: this server takes no writes \(a hot standby.*against the primary/),
      ]);
    }
  });
});
