// A failed sweep leaves expired personal data where it was: it must never print as success.
// `integritet sweep` names each failed table with its error and what to do (and --json carries
// it), and `integritet status` lists failed and stalled sweeps as needing attention and exits 1.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../src/retention/sweep-summary.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

// The sources rather than bin/integritet.js, which prefers a compiled dist/ when there is one.
function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['src/cli/main.ts', ...args, '--database-url', db.url],
                        { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  // A personnummer under a format CHECK, and no anonymize strategy: the blank value a sweep
  // writes by default is refused by the CHECK (the new user's clinic, in small).
  await db.pool().query(`
    create table public.patient (id bigint primary key, personnummer text not null check (personnummer ~ '^\\d{8}-\\d{4}$'),
                                 name text, last_visit date not null);
    insert into public.patient select g, '19800101-' || lpad(g::text, 4, '0'), 'Patient ' || g, current_date - 4000 + g
      from generate_series(1, 20) g;
    select privacy.classify_column('patient', 'personnummer', 'identifier');
    select privacy.classify_column('patient', 'last_visit', 'not_personal');
    select privacy.set_retention('patient', anchor => 'last_visit', keep => '5 years', action => 'anonymize');`);
});

describe('a failed sweep is loud', () => {
  it('sweep prints the failed table with its SQLSTATE, the constraint and what to do, and exits 1', () => {
    const run = cli(['sweep', '--table', 'patient']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/public\.patient\s+anonymized\s+0\s+0\s+-\s+failed/);
    expect(run.stdout).toContain('public.patient failed: 1 batches failed: 23514 (patient_personnummer_check)');
    expect(run.stdout).toMatch(/what to do: a CHECK constraint refuses the anonymized value/);
    expect(run.stdout).toContain('with failures: 1 tables failed');
  });

  it('--json carries the error and the hint', () => {
    const run = cli(['sweep', '--table', 'patient', '--json']);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout) as SweepSummary;
    expect(summary.failed).toBe(true);
    expect(summary.tables[0]).toMatchObject({
      table: 'public.patient', state: 'failed',
      error: { message: '1 batches failed: 23514 (patient_personnummer_check)', hint: expect.stringMatching(/CHECK constraint/) },
    });
  });

  it('status lists the failed sweep with its error as needing attention, and exits 1', () => {
    const run = cli(['status']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('sweeps failed 1 (!)');
    expect(run.stdout).toContain('needs attention: retention sweeps failed: 1');
    expect(run.stdout).toContain('public.patient: 1 batches failed: 23514 (patient_personnummer_check)');
    expect(run.stdout).not.toContain('nothing needs attention');
  });

  it('once a sweep of the table succeeds, status no longer flags it', async () => {
    await db.pool().query(`select privacy.classify_column('patient', 'personnummer', 'identifier', anonymize => 'redact',
                                                           anonymize_params => '{"replacement": "00000000-0000"}')`);
    expect(cli(['sweep', '--table', 'patient']).code).toBe(0);
    const run = cli(['status']);
    expect(run.stdout).toContain('sweeps failed 0,');
    expect(run.code, run.stdout).toBe(0);
  });

  it('status flags a sweep that has made no progress for an hour as stalled, and exits 1', async () => {
    await db.pool().query(`
      create table public.visit (id bigint primary key, at timestamptz not null);
      select privacy.set_retention('visit', anchor => 'at', keep => '1 year', action => 'delete');
      insert into privacy.sweep_run (schema_name, table_name, action, phase, as_of, cutoff, batch_size, started_at)
        values ('public', 'visit', 'delete', 'batches', now() - interval '2 hours', now() - interval '1 year 2 hours', 100,
                now() - interval '2 hours');`);
    const run = cli(['status']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('sweeps stalled 1 (!)');
    await db.pool().query(`update privacy.sweep_run set phase = 'failed', finished_at = now(), error = 'test' where table_name = 'visit'`);
  });
});
