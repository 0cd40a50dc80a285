import { spawn, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/integritet.js', ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: db.url } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text, contract_end date);
    insert into public.customer select g, 'Customer ' || g, current_date - 2000 + g * 10 from generate_series(1, 100) g;
    create table public.visit (id bigint primary key, customer_id bigint not null references public.customer, at timestamptz not null);
    insert into public.visit select g, 1 + g % 100, now() - interval '100 days' - g * interval '1 hour' from generate_series(1, 300) g;
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.link_subject('customer', 'visit', 'customer_id');
    select privacy.set_retention('customer', anchor => 'contract_end', keep => '3 years', action => 'anonymize');
    select privacy.set_retention('visit', anchor => 'at', keep => '90 days', action => 'delete');
    select privacy.place_hold('customer', '7', 'legal_claim', review_on => current_date + 10);`);
});

describe('integritet sweep (command line)', () => {
  it('--dry-run prints what each table would lose and why the rest is kept, and changes nothing', async () => {
    const run = cli(['sweep', '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/public\.customer\s+would anonymize\s+\d+\s+0\s+1 hold:legal_claim\s+dry run/);
    expect(run.stdout).toMatch(/public\.visit\s+would delete\s+297\s+0\s+3 hold:legal_claim\s+dry run/);
    expect(run.stdout).toContain('dry run: nothing changed');
    const { rows } = await db.pool().query('select count(*)::int as n from public.visit');
    expect(rows[0].n).toBe(300);
  });

  it('--table T --json sweeps one table and prints the summary as JSON', async () => {
    const run = cli(['sweep', '--table', 'visit', '--json', '--batch-size', '50']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      dryRun: false, complete: true, failed: false,
      tables: [{ table: 'public.visit', action: 'delete', rows: 297, kept: { 'hold:legal_claim': 3 }, state: 'done' }],
    });
  });

  it('without --table sweeps every table and prints a summary table', async () => {
    const run = cli(['sweep']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/public\.customer\s+anonymized\s+\d+/);
    expect(run.stdout).toMatch(/public\.visit\s+deleted\s+0/);
    expect(run.stdout).toMatch(/done in \d+\.\d s/);
  });

  it('an unknown table is a clear error and exit code 1', () => {
    const run = cli(['sweep', '--table', 'vistis']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown table public.vistis [PV001]');
  });
});

describe('integritet worker (command line)', () => {
  it('starts as a privacy_sweeper login, schedules every policy, and stops gracefully on SIGTERM', async () => {
    const sweeper = await createLoginRole(db, { memberOf: ['privacy_sweeper'] });
    await db.pool().query(`create schema worker_jobs authorization ${sweeper.name}`);
    const child = spawn(process.execPath, ['bin/integritet.js', 'worker', '--schema', 'worker_jobs', '--database-url', sweeper.url],
                        { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let waited = 0; !output.includes('worker started') && waited < 30_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain('worker started: 2 tables scheduled (public.customer, public.visit)');
    // And when their sweeps run (the schedule is not only in pg-boss's tables).
    for (let waited = 0; !output.includes('sweeps public.visit') && waited < 5_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toMatch(/sweeps public\.customer at cron '0 3 \* \* \*' \(UTC\); the first at its next match/);
    expect(output).toMatch(/sweeps public\.visit at cron '[^']+' \([^)]+\)/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: finishing running batches, then stopping');
    expect(output).toContain('worker stopped');
  });
});
