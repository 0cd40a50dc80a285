import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.ts';
import { connectionUrl } from '../support/connection-url.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { uniqueName } from '../support/unique-name.ts';

// README "Applying it to an existing schema": its examples, marked `<!-- rental example: … -->`,
// run in order on the rental reference schema as a DBA would run them.
const db = useTestDatabase('rental');
const login = uniqueName('it_frontdesk');
const folder = mkdtempSync(join(tmpdir(), 'integritet-readme-'));

interface Example { runner: 'owner' | 'shell'; line: number; code: string }

function rentalExamples(): { examples: Example[]; shownFindings: string[] } {
  const lines = readFileSync(join(packageRoot(), 'README.md'), 'utf8').split('\n');
  const examples: Example[] = [];
  let shownFindings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!-- rental example: (owner|shell) -->$/.exec(lines[i]!.trim());
    if (!marker) continue;
    const close = lines.findIndex((l, j) => j > i + 1 && l.startsWith('```'));
    examples.push({ runner: marker[1] as Example['runner'], line: i + 2, code: lines.slice(i + 2, close).join('\n') });
    // The verify output the README shows follows the first `verify` block.
    if (marker[1] === 'shell' && /integritet verify/.test(lines[i + 2] ?? '') && shownFindings.length === 0) {
      const start = lines.findIndex((l, j) => j > close && l === '```text');
      const end = lines.findIndex((l, j) => j > start && l.startsWith('```'));
      shownFindings = lines.slice(start + 2, end).map((l) => l.trim().split(/\s+/).join(' '));
    }
    i = close;
  }
  return { examples, shownFindings };
}

function runShell(code: string): { code: number | null; stdout: string }[] {
  return code.split('\n').map((line) => line.replace(/#.*$/, '').trim()).filter((line) => line.length > 0).map((line) => {
    expect(line).toMatch(/^npx integritet /);
    const args = line.split(/\s+/).slice(2);
    const run = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'integritet.js'), ...args, '--database-url', db.url],
      { encoding: 'utf8', cwd: folder });
    return { code: run.status, stdout: run.stdout + run.stderr };
  });
}

async function asFrontdesk(sql: string, searchPath = 'masked, public'): Promise<string> {
  const client = new pg.Client(connectionUrl(db.adminUrl, db.name, { user: login, password: 'change-me' }));
  await client.connect();
  try {
    await client.query('begin');
    await client.query(`select privacy.set_tenant('1')`);
    await client.query(`set local search_path = ${searchPath}`);
    return JSON.stringify((await client.query(sql)).rows);
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await db.pool().query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [login]);
  await db.pool().query(`drop owned by ${login}; drop role if exists ${login}`).catch(() => undefined);
  rmSync(folder, { recursive: true, force: true });
});

describe('README: applying it to an existing schema', () => {
  const { examples, shownFindings } = rentalExamples();

  it('has the steps: install and discover, protect, verify, fix, verify again, tenants through foreign keys', () => {
    expect(examples.map((e) => e.runner)).toEqual(['shell', 'owner', 'shell', 'owner', 'shell', 'owner']);
    expect(shownFindings.length).toBeGreaterThan(3);
  });

  it('runs them, and verify names what the README shows, then nothing of high severity', async () => {
    const [install, protect, firstVerify, fixes, secondVerify, tenants] = examples as [Example, Example, Example, Example, Example, Example];
    const personalise = (code: string) => code.replaceAll('frontdesk', login);

    const [migrate, discover] = runShell(install.code);
    expect(migrate!.code, migrate!.stdout).toBe(0);
    expect(discover!.code, discover!.stdout).toBe(0);
    const proposal = readFileSync(join(folder, 'privacy.policy.ts'), 'utf8');
    expect(proposal).toMatch(/tenantColumn: 'store_id'/);
    expect(existsSync(join(folder, 'privacy.policy.ts'))).toBe(true);

    await db.pool().query(personalise(protect.code));
    // Another store's customer: their name as the owner's views show it, and their last name alone.
    const other = (await db.pool().query<{ name: string; last: string }>(
      `select first_name || ' ' || last_name as name, last_name as last from customer where store_id = 2 order by customer_id limit 1`)).rows[0]!;
    expect(await asFrontdesk('select * from customer_list')).toContain(other.name);

    const [before] = runShell(firstVerify.code);
    expect(before!.code).toBe(1);
    const printed = before!.stdout.split('\n').map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '));
    for (const shown of shownFindings) expect(printed, shown).toContain(shown);

    await db.pool().query(fixes.code);
    const [after] = runShell(secondVerify.code);
    // Roles are cluster-wide: a test file running beside this one can add a high finding about
    // its own login for a moment. Nothing high may be about this database's objects or this login.
    const high = after!.stdout.split('\n').filter((l) => l.startsWith('high '));
    expect(high.filter((l) => !/\sit_[0-9a-f]+\s/.test(l) || l.includes(login))).toEqual([]);
    expect(after!.code).toBe(high.length > 0 ? 1 : 0);

    for (const [sql, path] of [['select * from customer_list', 'masked, public'], ['select * from customer_spend', 'masked, public'],
                               ['select * from rewards_report(1, 0)', 'public'], ['select * from customer', 'masked, public']]) {
      const answer = await asFrontdesk(sql!, path);
      expect(answer, sql).not.toContain(other.name);
      expect(answer, sql).not.toContain(`"${other.last}"`);
    }

    // Step 6: the store's own rentals, reviews and payments, through their customers; none of store 2's.
    await db.pool().query(tenants.code);
    for (const [table, own] of [
      ['rental', 'select count(*) from rental r join customer c using (customer_id) where c.store_id = 1'],
      ['film_review', 'select count(*) from film_review f join rental r using (rental_id) join customer c using (customer_id) where c.store_id = 1'],
      ['payment', 'select count(*) from payment p join customer c using (customer_id) where c.store_id = 1'],
    ] as const) {
      const expected = (await db.pool().query(`select (${own})::int as n`)).rows[0].n as number;
      expect(expected, table).toBeGreaterThan(0);
      expect(await asFrontdesk(`select count(*)::int as n from ${table}`), table).toBe(JSON.stringify([{ n: expected }]));
    }
    expect((await db.pool().query(`select count(*)::int as n from privacy.verify() where check_name in ('protected_table_without_tenant', 'tenant_path_broken')`)).rows[0].n).toBe(0);
  }, 240_000); // five command-line runs, each starting node: slow on a busy machine
});
