// `integritet sweep` also erases what erasures kept back once nothing keeps it (privacy.erase_due),
// so that a DBA who runs retention from cron, without the erasure worker, gets those rows erased.
// What must not go wrong: rows erased while a hold still keeps them, erasures run although
// --no-erasures, --dry-run or --table says not to, and a sweep that fails because the role may
// sweep but not erase.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { sweepCommand } from '../../src/cli/commands/sweep.ts';
import { eraseDueSubjects } from '../../src/retention/due-erasures.ts';
import type { SweepSummary } from '../../src/retention/sweep-summary.ts';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');
let sweeper: LoginRole;
let sweepOnly: LoginRole;

// The sources rather than bin/integritet.js, which prefers a compiled dist/ when there is one:
// a build made before --no-erasures would not know it.
function sweep(args: string[], url = sweeper.url) {
  const run = spawnSync(process.execPath, ['src/cli/main.ts', 'sweep', ...args, '--database-url', url],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function sweepJson(args: string[], url = sweeper.url): { code: number | null; summary: SweepSummary; stderr: string } {
  const run = sweep(['--json', ...args], url);
  return { code: run.code, summary: JSON.parse(run.stdout) as SweepSummary, stderr: run.stderr };
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.pool().query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, values);
  return rows[0]!.n;
}

/** Rows of customer `id` still there: the customer, its invoices. */
async function rowsOf(id: number): Promise<{ customers: number; invoices: number }> {
  return {
    customers: await count('select from public.customer where id = $1', [id]),
    invoices: await count('select from public.invoice where customer_id = $1', [id]),
  };
}

/** A legal-claim hold on customer `id`, then the customer's erasure, which the hold keeps back. */
async function eraseUnderHold(id: number): Promise<string> {
  const { rows: [hold] } = await db.pool().query<{ id: string }>(
    `select privacy.place_hold('customer', $1, 'legal_claim', review_on => current_date + 10)::text as id`, [String(id)]);
  const { rows } = await db.pool().query(
    `select relation, outcome, row_count::int as rows, kept_by from privacy.erase_subject('customer', $1, 'Art. 17 request')`,
    [String(id)]);
  expect(rows).toContainEqual({ relation: 'public.customer', outcome: 'restricted', rows: 1, kept_by: 'hold:legal_claim' });
  expect(rows).toContainEqual({ relation: 'public.invoice', outcome: 'restricted', rows: 3, kept_by: 'hold:legal_claim' });
  return hold!.id;
}

async function release(holdId: string): Promise<void> {
  await db.pool().query('select privacy.release_hold($1::bigint)', [holdId]);
}

const holds: Record<string, string> = {};

beforeAll(async () => {
  // Customer n has invoices n-1, n+19, n+39 (3 each) and visits n-1, n+19 (2 each, all expired).
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text, contract_end date);
    insert into public.customer select g, 'Customer ' || g, current_date - 2000 + g * 10 from generate_series(1, 20) g;
    create table public.invoice (id bigint primary key, customer_id bigint not null references public.customer, amount numeric);
    insert into public.invoice select g, 1 + g % 20, g from generate_series(1, 60) g;
    create table public.visit (id bigint primary key, customer_id bigint not null references public.customer, at timestamptz not null);
    insert into public.visit select g, 1 + g % 20, now() - interval '100 days' - g * interval '1 hour' from generate_series(1, 40) g;
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.link_subject('customer', 'invoice', 'customer_id');
    select privacy.link_subject('customer', 'visit', 'customer_id');
    select privacy.set_retention('visit', anchor => 'at', keep => '90 days', action => 'delete');`);
  holds.one = await eraseUnderHold(1);
  holds.two = await eraseUnderHold(2);
  // Customer 3: a second hold, until a day a month ahead, keeps the rows once the first is released.
  await db.pool().query(`select privacy.place_hold('customer', '3', 'custom', until => current_date + 30)`);
  holds.three = await eraseUnderHold(3);

  sweeper = await createLoginRole(db, { memberOf: ['privacy_sweeper'] });
  // May sweep (what integritet sweep needs for the tables), but not run privacy.erase_due().
  sweepOnly = await createLoginRole(db);
  await db.pool().query(`
    grant usage on schema privacy to ${sweepOnly.name};
    grant execute on function privacy.sweep(text, boolean, integer, integer, timestamptz, interval), privacy.sweep_schedules()
      to ${sweepOnly.name};`);
});

describe('integritet sweep: kept-back erasures (privacy.erase_due)', () => {
  it('documents --no-erasures, that a dry run does not count them, and the note for a role that may not', () => {
    let help = '';
    const command = sweepCommand();
    command.configureOutput({ writeOut: (text) => { help += text; } });
    command.outputHelp();
    expect(help).toContain('--no-erasures');
    expect(help).toContain('--dry-run does not count them');
    expect(help).toMatch(/gets a\s+one-line note on stderr, and the exit code stays 0/);
    expect(help).toMatch(/\$ integritet sweep --no-erasures\n/);
  });

  it('while the holds are in force, erases nothing of what they keep, and says none is due', async () => {
    const run = sweep([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/public\.visit\s+deleted\s+34\s+0\s+.*hold:.*\s+done/);
    expect(run.stdout).toMatch(/\n\nno kept-back erasures are due\n$/);
    for (const id of [1, 2, 3]) expect(await rowsOf(id)).toEqual({ customers: 1, invoices: 3 });
  });

  it('once released: --dry-run, --table and --no-erasures leave the kept-back rows alone', async () => {
    for (const hold of [holds.one!, holds.two!, holds.three!]) await release(hold);

    const dry = sweep(['--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing changed\n\nkept-back erasures: not counted in a dry run\n');
    expect(sweepJson(['--dry-run']).summary.erasures).toEqual({ status: 'skipped', reason: 'dry-run' });

    const table = sweep(['--table', 'visit']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).not.toContain('kept-back erasures');
    expect(sweepJson(['--table', 'visit']).summary.erasures).toEqual({ status: 'skipped', reason: 'table' });

    const skipped = sweep(['--no-erasures']);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/done in \d+\.\d s\n$/);
    expect(skipped.stdout).not.toContain('kept-back erasures');
    const json = sweepJson(['--no-erasures']);
    expect(json.code).toBe(0);
    expect(json.summary).toMatchObject({ dryRun: false, complete: true, failed: false, erasures: { status: 'skipped', reason: 'disabled' } });

    for (const id of [1, 2, 3]) expect(await rowsOf(id)).toEqual({ customers: 1, invoices: 3 });
    expect(await count(`select from privacy.restricted_row where subject_id in ('1', '2', '3') and table_name <> 'visit'`)).toBe(3 * 4);
  });

  it('a role that may sweep but not run privacy.erase_due() gets a one-line note, exit code 0, and the tables swept', async () => {
    const run = sweep([], sweepOnly.url);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/public\.visit\s+deleted\s+\d+\s+0\s+.*done/);
    expect(run.stdout).toMatch(/done in \d+\.\d s\n$/);
    expect(run.stderr).toBe('integritet: note: kept-back erasures skipped: permission denied for function erase_due [42501]: ' +
                            'grant the role privacy_sweeper or privacy_admin, or pass --no-erasures\n');

    const json = sweepJson([], sweepOnly.url);
    expect(json.code).toBe(0);
    expect(json.summary.failed).toBe(false);
    expect(json.summary.erasures).toMatchObject({ status: 'skipped', reason: 'not-permitted', note: expect.stringContaining('[42501]') });
    expect(json.stderr.split('\n').filter(Boolean)).toHaveLength(1);

    for (const id of [1, 2, 3]) expect(await rowsOf(id)).toEqual({ customers: 1, invoices: 3 });
  });

  it('integritet sweep erases what nothing keeps any more, restricts again what another hold keeps, and prints it', async () => {
    const run = sweep([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const erasures = run.stdout.slice(run.stdout.indexOf('kept-back erasures now due (privacy.erase_due):'));
    expect(erasures).toMatch(/^public\.customer\s+deleted\s+2\s+-$/m);
    expect(erasures).toMatch(/^public\.invoice\s+deleted\s+6\s+-$/m);
    expect(erasures).toMatch(/^public\.customer\s+restricted\s+1\s+hold:custom$/m);
    expect(erasures).toMatch(/^public\.invoice\s+restricted\s+3\s+hold:custom$/m);

    expect(await rowsOf(1)).toEqual({ customers: 0, invoices: 0 });
    expect(await rowsOf(2)).toEqual({ customers: 0, invoices: 0 });
    expect(await rowsOf(3)).toEqual({ customers: 1, invoices: 3 });
    expect(await count(`select from privacy.restricted_row where subject_id in ('1', '2')`)).toBe(0);
    // The ledger says which erasures were resumed (counts only).
    expect(await count(`select from privacy.ledger where action = 'subject.erase' and (detail->>'resumed')::boolean`)).toBe(3);

    const again = sweep([]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/\n\nno kept-back erasures are due\n$/);
  });

  it('--json has them as `erasures`: per table, outcome and rows', async () => {
    await release(await eraseUnderHold(4));
    const { code, summary } = sweepJson([]);
    expect(code).toBe(0);
    expect(summary.erasures).toEqual({
      status: 'done', complete: true,
      tables: [
        { table: 'public.customer', outcome: 'deleted', rows: 1, keptBy: null },
        { table: 'public.invoice', outcome: 'deleted', rows: 3, keptBy: null },
      ],
    });
    expect(await rowsOf(4)).toEqual({ customers: 0, invoices: 0 });
    expect(sweepJson([]).summary.erasures).toEqual({ status: 'done', complete: true, tables: [] });
  });

  it('a database migrated by an older version, without privacy.erase_due(), gets a note to migrate, not a failed sweep', async () => {
    const client = await db.pool().connect();
    try {
      await client.query('begin');
      await client.query('drop function privacy.erase_due(integer)');
      const outcome = await eraseDueSubjects(client);
      expect(outcome).toMatchObject({ status: 'skipped', reason: 'not-installed', note: expect.stringContaining('integritet migrate up') });
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
