// Write rules (minimisation before a value is stored) as part of policy as code. What must not
// go wrong: a policy file pulled from a database that drops its write rules, and a plan that
// then says the catalog matches, so a database rebuilt from the file stores data in full.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegritet } from '../../src/kysely/integritet.ts';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { formatPlan } from '../../src/policy/format-plan.ts';
import { loadPolicy } from '../../src/policy/load-policy.ts';
import { planPolicy } from '../../src/policy/plan-policy.ts';
import { renderPolicyFile } from '../../src/policy/policy-file-writer.ts';
import type { Policy } from '../../src/policy/policy-types.ts';
import { pullPolicy } from '../../src/policy/pull-policy.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { changed, kyselyFor } from './policy-fixtures.ts';

const INDEX = new URL('../../src/index.ts', import.meta.url).pathname;
const EXAMPLE = new URL('../../examples/tracking/integritet.config.ts', import.meta.url).pathname;
const declaredInSql = useTestDatabase('tracking');
const rebuilt = useTestDatabase('tracking');

async function writeRules(db: ReturnType<typeof kyselyFor>) {
  const { rows } = await sql<{ rule: string }>`
    select format('%s.%s %s %s', table_name, column_name, write_rule, write_params) as rule
      from privacy.column_rule where write_rule is not null order by 1`.execute(db);
  return rows.map((r) => r.rule);
}

describe('write rules declared in SQL, pulled, applied to a fresh database', () => {
  let source: ReturnType<typeof kyselyFor>;
  let target: ReturnType<typeof kyselyFor>;
  let directory: string;
  let file: string;

  beforeAll(async () => {
    source = kyselyFor(declaredInSql.url);
    target = kyselyFor(rebuilt.url);
    directory = await mkdtemp(join(tmpdir(), 'integritet-write-rules-'));
    file = join(directory, 'integritet.config.ts');
    // As the README's SQL section declares them, one with parameters.
    await sql`
      select privacy.classify_column('admin_user', 'last_login_ip', 'technical');
      select privacy.set_write_rule('admin_user', 'last_login_ip', 'truncate_ip', '{"ipv4_prefix": 16}');
      select privacy.classify_column('vehicle', 'notes', 'free_text');
      select privacy.set_write_rule('vehicle', 'notes', 'scrub_text');`.execute(source);
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('pull writes them into the policy file, parameters in camelCase', async () => {
    const pulled = await pullPolicy(source);
    expect(pulled.policy.tables.admin_user!.columns.last_login_ip)
      .toEqual({ category: 'technical', write: 'truncate_ip', writeParams: { ipv4Prefix: 16 } });
    expect(pulled.policy.tables.vehicle!.columns.notes).toEqual({ category: 'free_text', write: 'scrub_text' });
    await writeFile(file, renderPolicyFile(pulled.policy, { format: 'ts', importFrom: INDEX }));
    expect(await loadPolicy(file)).toEqual(pulled.policy);
  });

  it('plan on a fresh database adds them; apply makes them; then plan says no changes', async () => {
    const policy = await loadPolicy(file);
    const plan = await planPolicy(target, policy);
    expect(formatPlan(plan)).toMatch(/\+ last_login_ip +technical · hidden · write truncate_ip \{ ipv4Prefix: 16 \}/);
    await applyPolicy(target, policy);
    expect(await writeRules(target)).toEqual(await writeRules(source));
    expect(await writeRules(target)).toEqual([
      'admin_user.last_login_ip truncate_ip {"ipv4_prefix": 16}', 'vehicle.notes scrub_text {}',
    ]);
    expect((await planPolicy(target, policy)).changes).toEqual([]);
  });

  it('the rebuilt database minimises on write as the original does', async () => {
    const { rows } = await sql<{ ip: string; notes: string }>`
      with a as (update admin_user set last_login_ip = '203.0.113.77' where id = (select min(id) from admin_user) returning last_login_ip::text as ip),
           v as (update vehicle set notes = 'call 070-123 45 67' where id = (select min(id) from vehicle) returning notes)
      select a.ip, v.notes from a, v`.execute(target);
    expect(rows[0]).toEqual({ ip: '203.0.0.0/16', notes: 'call [phone]' });
  });

  it('a write rule missing from the catalog, or changed there, is a difference plan shows and apply repairs', async () => {
    const policy = await loadPolicy(file);
    await sql`select privacy.clear_write_rule('vehicle', 'notes');
              select privacy.set_write_rule('admin_user', 'last_login_ip', 'truncate_ip')`.execute(target);
    const plan = await planPolicy(target, policy);
    expect(plan.changes.map((c) => [c.object, c.action, c.changed])).toEqual([
      ['public.admin_user.last_login_ip', 'change', ['writeParams']],
      ['public.vehicle.notes', 'change', ['write']],
    ]);
    expect(formatPlan(plan)).toMatch(/~ notes +write \(none\) → scrub_text/);
    await applyPolicy(target, policy);
    expect((await planPolicy(target, policy)).changes).toEqual([]);
  });

  it('a policy without the rule clears it, and keeps the classification', async () => {
    const policy = changed(await loadPolicy(file), (p) => { delete p.tables.vehicle.columns.notes.write; }) as Policy;
    await applyPolicy(target, policy);
    expect(await writeRules(target)).toEqual(['admin_user.last_login_ip truncate_ip {"ipv4_prefix": 16}']);
    const { rows } = await sql<{ category: string }>`
      select category from privacy.column_rule where table_name = 'vehicle' and column_name = 'notes'`.execute(target);
    expect(rows).toEqual([{ category: 'free_text' }]);
  });
});

describe('the reference policy', () => {
  it("declares the write rules the README's SQL section adds", async () => {
    const policy = await loadPolicy(EXAMPLE);
    expect(policy.tables.admin_user!.columns.last_login_ip).toMatchObject({ category: 'technical', write: 'truncate_ip' });
    expect(policy.tables.vehicle!.columns.notes).toMatchObject({ category: 'free_text', write: 'scrub_text' });
  });
});

describe('the TypeScript client', () => {
  const db = useTestDatabase('tracking');

  it('sets and clears a write rule, with typed parameters', async () => {
    const owner = kyselyFor(db.url);
    const client = createIntegritet(owner);
    await client.classifyColumn({ table: 'admin_user', column: 'last_login_ip', category: 'technical' });
    await client.setWriteRule({ table: 'admin_user', column: 'last_login_ip', rule: 'truncate_ip', params: { ipv4Prefix: 8 } });
    expect(await writeRules(owner)).toEqual(['admin_user.last_login_ip truncate_ip {"ipv4_prefix": 8}']);
    expect((await client.readCatalog()).columnRules.find((r) => r.column === 'last_login_ip'))
      .toMatchObject({ write: 'truncate_ip', writeParams: { ipv4_prefix: 8 } });
    expect(await client.clearWriteRule({ table: 'admin_user', column: 'last_login_ip' })).toBe(true);
    expect(await writeRules(owner)).toEqual([]);
    await expect(client.setWriteRule({ table: 'admin_user', column: 'email', rule: 'scrub_text' })).rejects.toMatchObject({ code: 'PV013' });
  });
});
