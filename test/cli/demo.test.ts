import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { REFERENCE_POLICY } from '../subjects/subject-fixtures.ts';
import '../support/provided-context.ts';

// The sources rather than bin/integritet.js, which prefers a compiled dist/ when there is one:
// a stale build would run an older demo than the one under test.
function runDemo(env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', 'demo', '--scale', '0.05', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The rows of the text table printed right after the line starting with `title`, as cells. */
function tableAfter(output: string, title: string): string[][] {
  const start = output.indexOf(`\n${title}`);
  expect(start, `no "${title}" in:\n${output}`).toBeGreaterThan(-1);
  const lines = output.slice(start + 1).split('\n').slice(1);
  const end = lines.findIndex((line, i) => i > 1 && !/^\S+\s{2,}\S/.test(line));
  // Cells are at least two spaces apart; the header and the dashes under it are left out.
  return lines.slice(2, end).map((line) => line.trim().split(/\s{2,}/));
}

/**
 * The erasure step: the customer's invoices kept by the bookkeeping minimum are restricted (no
 * longer read by the application, still by the owner), its other rows are erased, and the report
 * is in the ledger.
 */
function expectCustomerErasedWithBookkeepingKept(output: string): void {
  expect(output).toContain('A customer erased, its bookkeeping records kept restricted');
  const customer = /customer (\d+) \(\w+, [^)]*\) asks to be erased/.exec(output)?.[1];
  expect(customer, output).toBeDefined();

  const report = tableAfter(output, `select * from privacy.erase_subject('customer', '${customer}'`);
  const lines = (table: string, outcome: string) => report.filter(([t, o]) => t === table && o === outcome);
  expect(lines('public.invoice', 'restricted').map(([, , , keptBy]) => keptBy)).toEqual(['minimum:bookkeeping']);
  expect(lines('public.invoice', 'restricted')[0]![4]).toMatch(/^\d{4}-12-31( to \d{4}-12-31)?$/);
  for (const table of ['public.contact_person', 'public.admin_user', 'public.vehicle', 'public.device']) {
    const outcomes = report.filter(([t]) => t === table).map(([, outcome]) => outcome);
    expect(outcomes.length, `${table} in the report`).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o !== 'deleted' && o !== 'anonymized'), `${table} erased`).toEqual([]);
  }
  // The customer row stays while the kept invoices reference it, anonymized whole (a fake
  // organisationsnummer passes its format check), so it need not be restricted.
  expect(lines('public.customer', 'anonymized').map(([, , rows]) => rows)).toEqual(['1']);
  // The line names the columns it changed (kept by and until are empty for it, so they come next).
  expect(lines('public.customer', 'anonymized')[0]![3], 'columns anonymized').toMatch(/^\w+(, \w+)*$/);
  expect(lines('public.customer', 'anonymized')[0]![3]!.split(', ')).toContain('name');
  expect(lines('public.customer', 'restricted')).toEqual([]);
  for (const [table, outcome, , keptBy] of report) {
    if (outcome === 'restricted') expect(keptBy, `${table}: the reason it is kept`).toMatch(/^(minimum|hold|referenced):\S+/);
  }

  const read = new Map(tableAfter(output, `rows of customer ${customer},`).map(([table, ...counts]) => [table, counts.map(Number)]));
  const [appBefore, appAfter, ownerAfter] = read.get('invoice') ?? [];
  expect(appBefore, 'invoices the application read before').toBeGreaterThan(0);
  // The application reads what was anonymized in place, never a restricted row; the owner reads both.
  const restricted = (table: string) => report.filter(([t, o]) => (t === `public.${table}` || t === `public."${table}"`) && o === 'restricted')
    .reduce((n, [, , rows]) => n + Number(rows), 0);
  expect(restricted('invoice'), 'invoices kept by the bookkeeping minimum').toBeGreaterThan(0);
  expect(appAfter, 'invoices the application reads after: the anonymized ones').toBe(ownerAfter! - restricted('invoice'));
  expect([...read].filter(([table, [, after, owner]]) => after !== owner! - restricted(table!)), 'restricted rows the application reads')
    .toEqual([]);
  expect(read.get('contact_person')?.[2], 'contact persons left after their deletion').toBe(0);
  expect(output).toMatch(/the owner still reads the restricted invoices raw, e\.g\. \S+: billing_name "[^"*]+"/);

  const entry = /report written to privacy\.ledger, entry (\d+)/.exec(output)?.[1];
  expect(entry, output).toBeDefined();
  // The demo database is gone when the demo ends: no psql hint into it, unless --keep.
  expect(output).not.toContain(`select detail from privacy.ledger where id = ${entry};`);
  expect(output).toContain('run the demo with --keep to read them in psql');
}

describe('npx integritet demo', () => {
  it('runs with no DATABASE_URL and no Docker: embedded PostgreSQL, masked rows, the tenant boundary, a sweep, an erasure, the report', async () => {
    const { DATABASE_URL: _unused, ...env } = process.env;
    const { code, output } = await runDemo({ ...env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(code, output).toBe(0);
    expect(output).toMatch(/PostgreSQL 1\d\.\d+ \(embedded\)/);
    expect(output).toContain('The same rows, raw and masked');
    expect(output).toMatch(/\*\*\*@\S+\.example/);                     // a masked e-mail
    expect(output).toMatch(/\(none set\)\s+0\s+0\s+0/);                // no tenant, no rows
    expect(output).toContain('permission denied for table position');
    expect(output).toMatch(/public\.invoice\s+\w+\s+[\d,]+\s+minimum:bookkeeping/);
    expectCustomerErasedWithBookkeepingKept(output);
    expect(output).toMatch(/written to \S+\.html/);
    expect(output).toMatch(/Done in \d+\.\d s\./);
  }, 120_000);

  it("erases a customer but keeps its bookkeeping records restricted on the suite's server (DATABASE_URL)", async () => {
    const server = inject('integritetServer');
    const { code, output } = await runDemo({ ...process.env, DATABASE_URL: server.url });
    expect(code, output).toBe(0);
    expect(output).toContain(`PostgreSQL: ${server.serverVersion} (env)`);
    expectCustomerErasedWithBookkeepingKept(output);
  }, 120_000);

  it('stops with a non-zero exit and the error when a step fails, and prints no count for the failed step', async () => {
    // The reference policy with the organisationsnummer left to the blank value, which the
    // column's format CHECK refuses: the customers' sweep fails.
    const folder = mkdtempSync(join(tmpdir(), 'integritet-broken-policy-'));
    const file = join(folder, 'broken.policy.ts');
    writeFileSync(file, `import reference from ${JSON.stringify(REFERENCE_POLICY)};
const { anonymize: _anonymize, anonymizeParams: _params, ...orgNumber } = reference.tables.customer.columns.org_number;
const customer = { ...reference.tables.customer, columns: { ...reference.tables.customer.columns, org_number: orgNumber } };
export default { ...reference, tables: { ...reference.tables, customer } };
`);
    try {
      const server = inject('integritetServer');
      const { code, output } = await runDemo({ ...process.env, DATABASE_URL: server.url }, ['--policy', file]);
      expect(code, output).toBe(1);
      expect(output).toContain('A retention sweep');
      expect(output).toMatch(/public\.customer\s+anonymize\s+FAILED/);
      expect(output).not.toMatch(/public\.customer\s+anonymize\s+\d/);
      expect(output).toContain('integritet: the sweep failed on 1 tables:');
      expect(output).toContain('public.customer: 1 batches failed: 23514 (customer_org_number_check)');
      expect(output).toMatch(/what to do: a CHECK constraint refuses the anonymized value/);
      expect(output).not.toContain('A customer erased');
      expect(output).not.toMatch(/Done in/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
