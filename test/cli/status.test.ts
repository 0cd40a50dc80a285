// `integritet status`: the one screen a DBA (or a monitoring check) reads. What must not go
// wrong: an overdue subject request that is not listed, and an exit code that says all is well
// while a request is past its deadline or verify has a high-severity finding.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/status.ts';
import type { DatabaseStatus } from '../../src/status/database-status.ts';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { applyReferencePolicy } from '../subjects/subject-fixtures.ts';

const db = useTestDatabase('tracking');
const bare = useTestDatabase('empty');
let admin: LoginRole;

// The sources rather than bin/integritet.js, which prefers a compiled dist/ when there is one:
// a build made before this command existed would not know it.
function status(args: string[] = [], url = admin.url) {
  const run = spawnSync(process.execPath, ['src/cli/main.ts', 'status', ...args, '--database-url', url],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function statusJson(): { code: number | null; status: DatabaseStatus } {
  const run = status(['--json']);
  expect(run.stderr).toBe('');
  return { code: run.code, status: JSON.parse(run.stdout) as DatabaseStatus };
}

async function scalar<T>(sql: string, values: unknown[] = []): Promise<T> {
  const { rows } = await db.pool().query(sql, values);
  return Object.values(rows[0])[0] as T;
}

beforeAll(async () => {
  await applyReferencePolicy(db);
  admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
});

describe('integritet status', () => {
  it('documents its exit codes and has examples', () => {
    let help = '';
    const command = statusCommand();
    command.configureOutput({ writeOut: (text) => { help += text; } });
    command.outputHelp();
    expect(help).toContain('Exit codes: 0 nothing needs attention; 1 a subject request is past its deadline');
    expect(help).toMatch(/Examples:\n\s+\$ integritet status\n/);
  });

  it('lists an overdue request with its id, kind, subject, dates and days overdue, leaves out one in time, and exits 1', async () => {
    const overdue = await scalar<string>(`select privacy.receive_subject_request('erasure', 'customer', '2', received_on => current_date - 45)::text`);
    const inTime = await scalar<string>(`select privacy.receive_subject_request('access', 'customer', '1')::text`);
    const { rows: [expected] } = await db.pool().query<{ received: string; deadline: string; days: number }>(
      `select received_on::text as received, deadline::text as deadline, current_date - deadline as days
       from privacy.subject_request where id = $1`, [overdue]);
    expect(expected!.days).toBeGreaterThan(0);

    const run = status();
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(new RegExp(
      `^${overdue}\\s+erasure\\s+customer 2\\s+${expected!.received}\\s+${expected!.deadline}\\s+${expected!.days}$`, 'm'));
    expect(run.stdout).not.toMatch(new RegExp(`^${inTime}\\s+access`, 'm'));
    expect(run.stdout).toMatch(/^requests\s+open 2, overdue 1 \(!\), failed 0$/m);
    expect(run.stdout).toContain('needs attention: requests overdue: 1');

    const json = statusJson();
    expect(json.code).toBe(1);
    expect(json.status.overdueRequests.map((r) => [r.id, r.kind, r.subjectType, r.subjectId, r.daysOverdue]))
      .toEqual([[overdue, 'erasure', 'customer', '2', expected!.days]]);
    expect(json.status.summary.requests).toEqual({ open: 2, overdue: 1, failed: 0 });
    expect(json.status.alerts).toContain('requests.overdue');
  });

  it('once the request is answered, nothing is listed and the exit code no longer reports it', async () => {
    await db.pool().query(`select privacy.close_subject_request(id, 'done', 'answered by letter')
                           from privacy.overdue_subject_request`);
    const run = status();
    expect(run.stdout).toContain('\nno overdue requests\n');
    const json = statusJson();
    expect(json.status.overdueRequests).toEqual([]);
    expect(json.status.alerts).not.toContain('requests.overdue');
    // verify's checks of application logins look at roles, which are cluster-wide: a test file
    // running beside this one can make a finding of high severity for a moment. Whatever the
    // alerts are, the exit code must follow them: 0 with none.
    expect(json.code).toBe(json.status.alerts.length > 0 ? 1 : 0);
    expect(run.code).toBe(json.status.alerts.length > 0 ? 1 : 0);
  });

  it('exits 1 on a verify finding of high severity, and counts findings by severity', async () => {
    await db.pool().query(`create function public.unpinned_lookup() returns int language sql security definer as 'select 1'`);
    try {
      const run = status();
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(/^verify\s+high [1-9]\d* \(!\), medium \d+, low \d+$/m);
      const json = statusJson();
      expect(json.code).toBe(1);
      expect(json.status.alerts).toContain('verify.high');
    } finally {
      await db.pool().query('drop function public.unpinned_lookup()');
    }
  });

  it('shows the latest sweep of each table with a retention policy, and the tables never swept', async () => {
    const swept = Number(await scalar<string>(
      `select coalesce(sum(row_count) filter (where blocked_by is null), 0) from privacy.sweep('position', max_batches => null)`));
    const { status: json } = statusJson();
    const position = json.retention.find((t) => t.table === 'public."position"');
    expect(position).toMatchObject({ action: 'anonymize', keep: '90 days', lastRun: { state: 'done', rows: swept } });
    expect(json.retention.find((t) => t.table === 'public.trip')).toMatchObject({ lastRun: null, lastDoneAt: null });
    expect(json.summary.retention).toMatchObject({ policies: json.retention.length, never_swept: json.retention.length - 1, sweeps_failed: 0 });
    expect(status().stdout).toMatch(new RegExp(
      `^public\\."position"\\s+anonymize\\s+90 days\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+done\\s+${swept.toLocaleString('en')}\\s`, 'm'));
  });

  it('counts protected tables and holds in force from the catalog', async () => {
    await db.pool().query(`select privacy.place_hold('customer', '3', 'legal_claim', review_on => current_date - 1)`);
    const { status: json } = statusJson();
    expect(json.installed).toBe(true);
    expect(json.toApply).toEqual([]);
    expect(json.summary.protection).toEqual({ protected_tables: 9, unclassified_columns: 0, unprotected_personal_tables: 0, read_by_every_tenant: 0 });
    expect(json.summary.holds).toEqual({ active: 1, review_due: 1 });
  });

  it('says how to install the toolkit where it is not, and exits 1', () => {
    const run = status([], bare.url);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/not installed in this database; run `integritet migrate up`/);
  });
});
