import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectCommand } from '../../src/cli/commands/subject.ts';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { REFERENCE_POLICY, applyReferencePolicy, customerRows } from './subject-fixtures.ts';

const db = useTestDatabase('tracking');
let admin: LoginRole;
let directory: string;

function cli(args: string[], url = admin.url) {
  const run = spawnSync(process.execPath, ['bin/integritet.js', 'subject', ...args, '--database-url', url], { encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  await applyReferencePolicy(db);
  admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
  directory = await mkdtemp(join(tmpdir(), 'integritet-subject-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('integritet subject (command line)', () => {
  it('every subcommand has --help with examples', () => {
    for (const command of subjectCommand().commands) {
      let help = '';
      command.configureOutput({ writeOut: (text) => { help += text; } });
      command.outputHelp();
      expect(help, command.name()).toMatch(/Examples?:\n\s+\$ integritet subject /);
      expect(help, command.name()).toContain('--database-url');
    }
    const run = spawnSync(process.execPath, ['bin/integritet.js', 'subject', 'erase', '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('$ integritet subject erase customer 42');
  });

  it('graph prints each link and its foreign key; --json for machines', () => {
    const run = cli(['graph', '--type', 'customer']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/customer\s+public\.trip\s+customer_id\s+trip_customer_id_fkey\s+1/);
    const json = JSON.parse(cli(['graph', '--json']).stdout);
    expect(json).toContainEqual({ subjectType: 'device', relation: 'public.trip', link: 'device_id',
                                  foreignKey: 'trip_customer_id_device_id_fkey', depth: 1, finding: null });
  });

  it('export writes the document with purposes from the policy file, and prints a summary', async () => {
    const file = join(directory, 'customer-1.json');
    const run = cli(['export', 'customer', '1', '--policy', REFERENCE_POLICY, '--out', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^Wrote .*customer-1\.json: \d+ rows in 9 tables about customer 1\.$/m);
    const document = JSON.parse(await readFile(file, 'utf8'));
    expect(document.tables.find((t: { table: string }) => t.table === 'public.invoice').purpose).toBe('Invoicing, and bookkeeping as the law requires');
    const summary = cli(['export', 'customer', '1']);
    expect(summary.stdout).toMatch(/public\.invoice\s+\d+\s+0\s+contact, financial, identifier\s+anonymized 1 year after issued_on/);
  });

  it('restrict, then lift, with the rows per table', () => {
    const run = cli(['restrict', 'device', '1', '--reason', 'ticket 4715', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toContainEqual({ relation: 'public.device', rows: 1 });
    expect(cli(['restrict', 'device', '1', '--lift']).stdout).toMatch(/public\.device\s+1/);
    expect(cli(['restrict', 'device', '1']).code).toBe(2);
  });

  it('erase prints the report, and then that nothing is left to do', async () => {
    const first = cli(['erase', 'customer', '3', '--reason', 'ticket 4716']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/public\.invoice\s+restricted\s+\d+\s+minimum:bookkeeping\s+20\d\d-12-31/);
    // Vehicles are anonymized in place, as their retention policy anonymizes.
    expect(first.stdout).toMatch(/public\.vehicle\s+anonymized\s+\d+/);
    const { rows } = await db.pool().query(`select count(*)::int as n from public.vehicle where customer_id = 3 and driver_name is not null`);
    expect(rows[0].n).toBe(0);
    expect(cli(['erase', 'customer', '3', '--reason', 'ticket 4716']).stdout.trim())
      .toBe('nothing left to do: every row is erased or restricted already');
  }, 120_000);

  it('receive, requests and process: a request from receipt to done', () => {
    const received = cli(['receive', 'restriction', 'contact', '1', '--received', '2026-02-01', '--json']);
    expect(received.code, received.stderr).toBe(0);
    const { id } = JSON.parse(received.stdout);
    const open = cli(['requests', '--overdue']);
    expect(open.code).toBe(1);
    expect(open.stdout).toMatch(new RegExp(`${id}\\s+restriction\\s+contact 1\\s+2026-02-01\\s+2026-03-01\\s+received\\s+\\d+ days`));
    expect(cli(['process', String(id)]).stdout.trim()).toBe(`request ${id} (restriction): done`);
    expect(cli(['requests', '--overdue']).stdout.trim()).toBe('no overdue requests');
    expect(cli(['receive', 'complaint', 'contact', '1']).code).toBe(2);
  }, 120_000);

  it('process prints an erasure request\'s report as erase does', () => {
    const received = cli(['receive', 'erasure', 'contact', '2', '--json']);
    expect(received.code, received.stderr).toBe(0);
    const { id } = JSON.parse(received.stdout);
    const run = cli(['process', String(id)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`request ${id} (erasure): done`);
    expect(run.stdout).toMatch(/table\s+outcome\s+rows/);
    expect(run.stdout).toMatch(/public\.contact_person\s+deleted\s+1/);
  }, 120_000);

  it('errors name the problem and exit 1', () => {
    const run = cli(['erase', 'driver', '1', '--reason', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`unknown subject type 'driver' [PV007]`);
  });
});
