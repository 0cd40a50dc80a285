import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type pg from 'pg';
import { openClient } from '../../database/open-client.ts';
import { provisionDatabase } from '../../database/provision.ts';
import { redactUrl } from '../../database/redact-url.ts';
import { migrateUp } from '../../migrate/migrator.ts';
import {
  createApplicationLogin, loadAndProtect, showRawAndMasked, showTenantBoundary, sweepWithProgress, writeReport,
} from '../demo/demo-steps.ts';
import { eraseCustomer } from '../demo/erase-customer.ts';
import { examplePolicyFile } from '../demo/example-policy-file.ts';

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = await openClient(serverUrl, { applicationName: 'integritet demo' });
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function demoScale(value: string): number {
  const scale = Number(value);
  if (!(scale > 0 && scale <= 100)) throw new InvalidArgumentError('a number above 0 and at most 100');
  return scale;
}

/**
 * The psql command line for the kept demo database, with no password on the screen: a password
 * goes to a password file (mode 0600) in `folder` that PGPASSFILE names.
 */
function psqlCommand(url: URL, folder: string): string {
  if (!url.password) return `psql "${url.toString()}"`;
  const file = join(folder, 'pgpass');
  const field = (value: string) => decodeURIComponent(value).replaceAll('\\', '\\\\').replaceAll(':', '\\:');
  writeFileSync(file, `${field(url.hostname)}:${url.port || '5432'}:*:${field(url.username)}:${field(url.password)}\n`, { mode: 0o600 });
  return `PGPASSFILE=${file} psql "${redactUrl(url.toString()).replace(':***@', '@')}"`;
}

/**
 * `integritet demo`: the product on generated data, in a fresh database (embedded PostgreSQL
 * unless DATABASE_URL names a server): install, protect, read raw and masked, the tenant
 * boundary, a retention sweep, a customer erased with its bookkeeping records kept restricted,
 * and the record of processing.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('show the toolkit on generated tracking data (embedded PostgreSQL unless DATABASE_URL is set)')
    .option('--scale <n>', 'size of the generated data (1 = 50 customers, 100k positions)', demoScale, 0.2)
    .option('--keep', 'keep the demo database (and the embedded server) until Ctrl-C')
    .option('--policy <file>', 'apply this policy file to the reference schema instead of its own')
    .addHelpText('after', `
If any step fails, the demo stops there, prints the error (a failed sweep: each table, its error
and what to do) and exits 1; it never prints a count for a step that failed.

Examples:
  $ npx integritet demo
  $ DATABASE_URL=postgres://postgres@localhost/postgres npx integritet demo --keep`)
    .action(async (options: { scale: number; keep?: boolean; policy?: string }) => {
      const { scale } = options;
      const print = (line = '') => console.log(line);
      const heading = (n: number, text: string) => print(`\n${n}. ${text}\n${'-'.repeat(text.length + 3)}`);
      const started = Date.now();
      const server = await provisionDatabase({ log: (line) => print(`  ${line}`) });
      const name = `integritet_demo_${randomBytes(4).toString('hex')}`;
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      let owner: pg.Client | undefined;
      let appRole: string | undefined;
      let passwordFolder: string | undefined;
      try {
        print(`PostgreSQL: ${server.serverVersion} (${server.kind})`);
        await onServer(server.url, `create database ${name}`);
        heading(1, `Installing integritet into database ${name}`);
        const installed = await migrateUp(url.toString());
        print(`${installed.versioned.length} migrations and ${installed.repeatable.length} definitions applied ` +
          '(integritet migrate status lists them)');

        owner = await openClient(url.toString(), { applicationName: 'integritet demo' });
        const policyFile = options.policy ? resolve(options.policy) : examplePolicyFile();
        const context = { url: url.toString(), owner, print, policyFile, keep: options.keep === true };
        heading(2, 'The reference tracking schema, generated data, and its policy');
        await loadAndProtect(context, scale);

        const login = await createApplicationLogin(context);
        appRole = login.name;
        const app = await openClient(login.url, { applicationName: 'integritet demo (application)' });
        try {
          heading(3, 'The same rows, raw and masked');
          await showRawAndMasked(context, app, '1');
          heading(4, 'The tenant boundary');
          await showTenantBoundary(context, app);
          heading(5, 'A retention sweep');
          await sweepWithProgress(context);
          heading(6, 'A customer erased, its bookkeeping records kept restricted (GDPR Art. 17, 18)');
          await eraseCustomer(context, app);
        } finally {
          await app.end();
        }

        heading(7, 'The record of processing (GDPR Art. 30)');
        print(`written to ${await writeReport(context)}`);
        print(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
        if (options.keep) {
          passwordFolder = mkdtempSync(join(tmpdir(), 'integritet-demo-'));
          print(`\nKept running: ${psqlCommand(url, passwordFolder)}\nPress Ctrl-C to stop.`);
          await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
        }
      } finally {
        await owner?.end().catch(() => undefined);
        await onServer(server.url, `drop database if exists ${name} with (force)`).catch(() => undefined);
        if (appRole) await onServer(server.url, `drop role if exists ${appRole}`).catch(() => undefined);
        await server.stop();
        if (passwordFolder) rmSync(passwordFolder, { recursive: true, force: true });
      }
    });
}
