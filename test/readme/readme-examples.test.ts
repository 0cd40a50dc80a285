import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.ts';
import { connectionUrl } from '../support/connection-url.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { uniqueName } from '../support/unique-name.ts';
import { readmeExamples } from './readme-examples.ts';

const db = useTestDatabase('tracking');
// Roles are cluster-wide: the README's role names get unique ones here.
const names = { app_user: uniqueName('it_app'), support_staff: uniqueName('it_staff') };
const personalise = (code: string) => code.replaceAll('app_user', names.app_user).replaceAll('support_staff', names.support_staff);
const urlOf = (role: string) => connectionUrl(db.adminUrl, db.name, { user: role, password: 'change-me' });

async function runAs(url: string, code: string): Promise<pg.QueryResult[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(code);
    return Array.isArray(result) ? result : [result];
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const role of Object.values(names)) {
    await db.pool().query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [role]);
    await db.pool().query(`drop owned by ${role}; drop role if exists ${role}`).catch(() => undefined);
  }
});

describe('the examples in README.md', () => {
  const examples = readmeExamples();

  it('are there, for every kind of runner', () => {
    expect(new Set(examples.map((e) => e.runner))).toEqual(new Set(['owner', 'app', 'staff', 'typescript']));
  });

  // In order: later examples build on earlier ones, as a reader would run them.
  it.each(examples.map((e) => [`README.md:${e.line} (${e.runner})`, e] as const))('%s runs', async (_name, example) => {
    const code = personalise(example.code);
    if (example.runner === 'owner') {
      await runAs(db.url, code);
    } else if (example.runner === 'app') {
      const results = await runAs(urlOf(names.app_user), code);
      const rows = results.flatMap((r) => r.rows ?? []);
      const raw = await db.pool().query(`select email, phone from public.customer where id = 1`);
      for (const row of rows) {
        if ('email' in row) expect(row.email).not.toBe(raw.rows[0].email);
      }
    } else if (example.runner === 'staff') {
      const [result] = await runAs(urlOf(names.support_staff), code);
      const raw = await db.pool().query(`select email from public.customer where id = 1`);
      expect(result!.rows[0].reveal).toBe(raw.rows[0].email);
    } else {
      const folder = join(packageRoot(), '.tmp');
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `readme-example-${example.line}.ts`);
      writeFileSync(file, code.replaceAll("from 'integritet'", `from '${join(packageRoot(), 'src', 'index.ts')}'`));
      const run = spawnSync(process.execPath, [file], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: db.url, APP_DATABASE_URL: urlOf(names.app_user) },
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('PV002 public.vehicle.regnr');
      expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^[A-Z]{3}\*+$/);
    }
  });

  it('the quoted error message is the one PostgreSQL gives', async () => {
    await expect(db.pool().query(`select privacy.classify_column('customer', 'emial', 'contact')`))
      .rejects.toMatchObject({ code: 'PV002', message: "unknown column 'emial' in public.customer" });
  });
});
