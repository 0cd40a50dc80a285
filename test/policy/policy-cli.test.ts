import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { catalogFootprint, kyselyFor, smallPolicy } from './policy-fixtures.ts';

const db = useTestDatabase('tracking');
const ROOT = new URL('../..', import.meta.url).pathname;
const EXAMPLE = join(ROOT, 'examples/tracking/integritet.config.ts');
const { DATABASE_URL: _, NO_COLOR: __, FORCE_COLOR: ___, ...ENV } = process.env;

function cli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/integritet.js'), ...args], {
    encoding: 'utf8', env: options.env ?? ENV, cwd: options.cwd ?? ROOT,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('integritet plan, apply, pull, discover, lint, report (command line)', () => {
  let directory: string;
  let url: string[];
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'integritet-cli-'));
    url = ['--database-url', db.url];
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it.each(['plan', 'apply', 'pull', 'discover', 'lint', 'report'])('%s --help shows examples', (command) => {
    const help = cli([command, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--database-url');
  });

  it('plan on a fresh database shows all of the example; apply; then plan shows nothing', () => {
    const plan = cli(['plan', '--policy', EXAMPLE, ...url]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to remove\./);
    expect(plan.stdout).not.toContain('\u001b['); // no colours when not on a terminal
    const json = JSON.parse(cli(['plan', '--json', '--policy', EXAMPLE, ...url]).stdout);
    expect(json.newlyProtected).toHaveLength(9);
    expect(json.changes.find((c: { object: string }) => c.object === 'public.customer.org_number').after.maskParams)
      .toEqual({ keepFirst: 2, keepLast: 0 });

    const apply = cli(['apply', '--policy', EXAMPLE, ...url]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Applied .*: \d+ added, 0 changed, 0 removed, in one transaction\./);
    const again = cli(['plan', '--policy', EXAMPLE, ...url]);
    expect(again.stdout.trim()).toBe('No changes: the catalog matches the policy.');
    expect(cli(['apply', '--policy', EXAMPLE, ...url]).stdout).toContain('Nothing to apply');
  }, 180_000);

  it('a policy with a typo is refused with its path and a suggestion, exit 1, nothing applied', async () => {
    const file = join(directory, 'typo.json');
    const policy = smallPolicy() as any;
    policy.tables.customer.columns.emial = policy.tables.customer.columns.email;
    delete policy.tables.customer.columns.email;
    await writeFile(file, JSON.stringify(policy));
    const before = await catalogFootprint(kyselyFor(db.url));
    for (const command of ['plan', 'apply']) {
      const run = cli([command, '--policy', file, ...url]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('tables.customer.columns.emial: no column "emial" in public.customer (did you mean "email"?)');
    }
    expect(await catalogFootprint(kyselyFor(db.url))).toBe(before);
  });

  it('plan reports a declared anonymize strategy a constraint refuses as an error, naming it and one that passes; exit 1', async () => {
    const file = join(directory, 'refused.json');
    const policy = smallPolicy() as any;
    policy.tables.customer.columns.org_number = { category: 'identifier', anonymize: 'redact' };
    await writeFile(file, JSON.stringify(policy));
    const before = await catalogFootprint(kyselyFor(db.url));
    const run = cli(['plan', '--policy', file, ...url]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/Plan: \d+ to add/);  // the plan itself is still shown
    expect(run.stdout).toContain('error: tables.customer.columns.org_number: public.customer.org_number: anonymize strategy redact is refused by UNIQUE customer_org_number_key');
    expect(run.stdout).toContain(`This one passes: anonymize => 'fake_organisationsnummer', anonymize_params => '{"unique": true}'.`);
    const json = JSON.parse(cli(['plan', '--json', '--policy', file, ...url]).stdout);
    expect(json.errors).toEqual([expect.objectContaining({ object: 'public.customer.org_number', path: 'tables.customer.columns.org_number',
                                                           strategy: 'redact', constraint: 'customer_org_number_key' })]);
    // A privacy_admin login (who would run apply) gets the same errors; a masked login may not
    // run the check itself (it tries strategies with the owner's rights).
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    const asAdmin = cli(['plan', '--policy', file, '--database-url', admin.url]);
    expect(asAdmin.code, asAdmin.stderr).toBe(1);
    expect(asAdmin.stdout).toContain('refused by UNIQUE customer_org_number_key');
    const app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await expect(asRole(app, (client) => client.query(
      `select privacy.check_anonymize_fits('public', 'customer', 'org_number', 'redact', '{}')`))).rejects.toMatchObject({ code: '42501' });
    // What passes plans cleanly.
    policy.tables.customer.columns.org_number = { category: 'identifier', anonymize: 'fake_organisationsnummer', anonymizeParams: { unique: true } };
    await writeFile(file, JSON.stringify(policy));
    const fixed = cli(['plan', '--policy', file, ...url]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).not.toContain('error:');
    expect(await catalogFootprint(kyselyFor(db.url))).toBe(before);
  }, 120_000);

  it('lint: findings exit 0, or 1 with --strict; --format json is data', async () => {
    // A warning: a personal table without retention (the example policy leaves none).
    await db.pool().query(`select privacy.drop_retention('vehicle')`);
    try {
      const plain = cli(['lint', ...url]);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain('no-retention');
      expect(cli(['lint', '--strict', ...url]).code).toBe(1);
      const json = JSON.parse(cli(['lint', '--format', 'json', ...url]).stdout);
      expect(json.summary).toEqual({ errors: 0, warnings: 1 });
    } finally {
      await db.pool().query(`select privacy.set_retention('vehicle', anchor => 'removed_at', keep => '1 year', action => 'anonymize')`);
    }
  }, 240_000);

  it('report writes Markdown or a self-contained HTML page', async () => {
    const md = cli(['report', '--policy', EXAMPLE, ...url]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('# Record of processing activities');
    const out = join(directory, 'ropa.html');
    expect(cli(['report', '--format', 'html', '--out', out, '--policy', EXAMPLE, ...url]).code).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('<svg');
    expect(cli(['report', '--format', 'html', '--out', out, ...url]).code).toBe(1); // exists: needs --force
    expect(JSON.parse(cli(['report', '--json', '--policy', EXAMPLE, ...url]).stdout).coverage.tablesProtected).toEqual({ part: 9, whole: 9 });
  });

  it('pull writes the catalog as a policy file that plans to nothing', async () => {
    const out = join(directory, 'pulled.json');
    const pull = cli(['pull', '--out', out, ...url]);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/Wrote .*pulled.json: 9 tables, 4 subject types\./);
    expect(cli(['plan', '--policy', out, ...url]).stdout.trim()).toBe('No changes: the catalog matches the policy.');
    const ts = cli(['pull', '--out', '-', ...url]);
    expect(ts.stdout).toMatch(/^\/\/ Pulled from the integritet catalog.*\nimport \{ definePolicy \} from 'integritet';/);
  });

  it('discover writes a proposal to review and applies nothing', async () => {
    const before = await catalogFootprint(kyselyFor(db.url));
    const out = join(directory, 'proposal.ts');
    const run = cli(['discover', '--out', out, '--tenant-column', 'customer_id', '--sample', '50', ...url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/public.customer.email +email +high +contact +email/);
    expect(await readFile(out, 'utf8')).toContain('NOT APPLIED');
    expect(await catalogFootprint(kyselyFor(db.url))).toBe(before);
    const findings = JSON.parse(cli(['discover', '--json', '--table', 'customer', ...url]).stdout);
    expect(findings.find((f: { column: string }) => f.column === 'email').kind).toBe('email');
  });

  it('usage errors exit 2, no database included; colours only when asked for or on a terminal', () => {
    expect(cli(['report', '--format', 'pdf', ...url]).code).toBe(2);
    expect(cli(['lint', '--bogus', ...url]).code).toBe(2);
    expect(cli(['discover', '--sample', 'many', ...url]).code).toBe(2);
    const none = cli(['plan', '--policy', EXAMPLE]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--database-url or set DATABASE_URL');
    expect(cli(['plan', '--policy', EXAMPLE, ...url], { env: { ...ENV, FORCE_COLOR: '1' } }).stdout).toContain('\u001b[');
  }, 180_000);

  it('finds the policy file of the working directory', () => {
    const run = cli(['plan', ...url], { cwd: join(ROOT, 'examples/tracking') });
    expect(run.code, run.stderr).toBe(0);
    const missing = cli(['plan', ...url], { cwd: directory });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no policy file');
  });
});
