import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { installTrackingSchema, seedTracking } from '../../../examples/tracking/seed.ts';
import { openKysely } from '../../kysely/open-kysely.ts';
import { packageRoot } from '../../package-root.ts';
import { applyPolicy } from '../../policy/apply-policy.ts';
import { loadPolicy } from '../../policy/load-policy.ts';
import { buildProcessingRecord } from '../../policy/report/processing-record.ts';
import { renderReportHtml } from '../../policy/report/render-report.ts';
import { runSweep } from '../../retention/run-sweep.ts';
import { textTable } from '../../terminal/text-table.ts';
import { examplePolicyFile } from './example-policy-file.ts';

/** What the demo's steps share: the demo database as its owner, and a print function. */
export interface DemoContext {
  url: string;
  owner: pg.Client;
  print: (line?: string) => void;
  /** The policy file applied: the reference schema's own unless `demo --policy` names another. */
  policyFile: string;
  /** Whether the database stays after the demo (`--keep`): only then are psql hints worth printing. */
  keep: boolean;
}

/** The reference schema's policy file. */
export const REFERENCE_POLICY = join(packageRoot(), 'examples', 'tracking', 'integritet.config.ts');

/** A demo step that failed: the demo stops, prints it and exits non-zero. */
export class DemoStepError extends Error {}

/** Loads the reference tracking schema with generated data and applies its policy file. */
export async function loadAndProtect({ url, owner, print, policyFile }: DemoContext, scale: number): Promise<void> {
  await installTrackingSchema(owner);
  const summary = await seedTracking(owner, { scale });
  print(textTable(['table', 'rows'], Object.entries(summary.rows).map(([t, n]) => [t, n.toLocaleString('en')])));
  const db = openKysely(url, { max: 1 });
  try {
    const result = await applyPolicy(db, await loadPolicy(policyFile));
    print(`\napplied ${policyFile === examplePolicyFile() ? 'examples/tracking/integritet.config.ts' : relative(packageRoot(), policyFile)}: ${result.plan.changes.length} declarations in one transaction`);
  } finally {
    await db.destroy();
  }
}

/** A login of privacy_masked for the rest of the demo, as an application would connect. */
export async function createApplicationLogin({ url, owner }: DemoContext): Promise<{ url: string; name: string }> {
  const name = `demo_app_${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await owner.query(`create role ${name} login password '${password}' in role privacy_masked`);
  await owner.query(`alter role ${name} set search_path = masked, public`);
  const login = new URL(url);
  login.username = name;
  login.password = password;
  return { url: login.toString(), name };
}

/** The same customers raw (owner) and as the application reads them (masked, own tenant). */
export async function showRawAndMasked({ owner, print }: DemoContext, app: pg.Client, tenant: string): Promise<void> {
  const query = 'select id, name, org_number, phone, email, street from customer order by id';
  const raw = await owner.query(`${query.replace('from customer', 'from public.customer')} limit 3`);
  await app.query('begin');
  await app.query('select privacy.set_tenant($1)', [tenant]);
  const masked = await app.query(query);
  await app.query('commit');
  const cells = (row: Record<string, unknown>) =>
    ['id', 'name', 'org_number', 'phone', 'email', 'street'].map((c) => (row[c] === null ? 'NULL' : String(row[c])));
  print('raw, as the owner reads public.customer:');
  print(textTable(['id', 'name', 'org_number', 'phone', 'email', 'street'], raw.rows.map(cells)));
  print(`\nthe same query text as the application (privacy_masked, tenant ${tenant}):`);
  print(textTable(['id', 'name', 'org_number', 'phone', 'email', 'street'], masked.rows.map(cells)));
}

/** How many rows each tenant's transaction sees, and none without a tenant. */
export async function showTenantBoundary({ owner, print }: DemoContext, app: pg.Client): Promise<void> {
  const tenants = (await owner.query('select id from public.customer order by id limit 3')).rows.map((r) => String(r.id));
  const rows: string[][] = [];
  for (const tenant of [...tenants, null]) {
    await app.query('begin');
    if (tenant) await app.query('select privacy.set_tenant($1)', [tenant]);
    const { rows: counts } = await app.query(`select (select count(*) from vehicle) as vehicles,
      (select count(*) from position) as positions, (select count(distinct customer_id) from position) as tenants_seen`);
    await app.query('commit');
    rows.push([tenant ?? '(none set)', String(counts[0].vehicles), String(counts[0].positions), String(counts[0].tenants_seen)]);
  }
  print(textTable(['tenant', 'vehicles', 'positions', 'tenants seen'], rows));
  const direct = await app.query('select count(*) from public.position').catch((e: Error) => e);
  print(`\nthe application reading public.position directly: ${direct instanceof Error ? direct.message : 'allowed?!'}`);
}

/** A sweep of every table with a retention policy, with a progress line per batch. */
export async function sweepWithProgress({ url, print }: DemoContext): Promise<void> {
  let last = '';
  const summary = await runSweep(url, {
    onProgress: (p) => {
      const line = `  [${p.tableNumber}/${p.tableCount}] ${p.table}: batch ${p.batchesDone}/${p.batchesTotal}, ${p.rows.toLocaleString('en')} rows`;
      if (process.stdout.isTTY) process.stdout.write(`\r${line.padEnd(last.length)}`);
      last = line;
    },
  });
  if (process.stdout.isTTY) process.stdout.write('\n');
  // A failed table's count means nothing (its batch was rolled back): it shows as failed.
  print(textTable(['table', 'action', 'rows', 'kept back (reason: rows)'],
    summary.tables.map((t) => [t.table, t.action, t.state === 'failed' ? 'FAILED' : (t.rows + t.partitionRows).toLocaleString('en'),
      t.state === 'failed' ? '-' : Object.entries(t.kept).map(([reason, n]) => `${reason}: ${n}`).join(', ') || '-'])));
  const failed = summary.tables.filter((t) => t.state === 'failed');
  if (failed.length > 0) {
    throw new DemoStepError(`the sweep failed on ${failed.length} tables:\n${failed.map((t) =>
      `  ${t.table}: ${t.error?.message ?? 'failed'}${t.error?.hint ? `\n    what to do: ${t.error.hint}` : ''}`).join('\n')}`);
  }
  print(`swept in ${(summary.elapsedMs / 1000).toFixed(1)} s; the ledger has the counts, never a value`);
}

/** Writes the Art. 30 record of processing as HTML and returns its path. */
export async function writeReport({ url, policyFile }: DemoContext): Promise<string> {
  const db = openKysely(url, { max: 1 });
  try {
    const policy = await loadPolicy(policyFile);
    const html = renderReportHtml(await buildProcessingRecord(db, { policy }));
    // A folder of its own: a fixed name in the shared temp folder could be another user's file.
    const file = join(mkdtempSync(join(tmpdir(), 'integritet-demo-')), 'record-of-processing.html');
    writeFileSync(file, html);
    return file;
  } finally {
    await db.destroy();
  }
}
