import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { loadPolicy } from '../../src/policy/load-policy.ts';
import { planPolicy } from '../../src/policy/plan-policy.ts';
import { renderPolicyFile } from '../../src/policy/policy-file-writer.ts';
import type { Policy } from '../../src/policy/policy-types.ts';
import { pullPolicy } from '../../src/policy/pull-policy.ts';
import { formatPlan } from '../../src/policy/format-plan.ts';
import { createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { catalogFootprint, changed, kyselyFor } from './policy-fixtures.ts';

const db = useTestDatabase('tracking');
const EXAMPLE = new URL('../../examples/tracking/integritet.config.ts', import.meta.url).pathname;
const TABLES = ['admin_user', 'contact_person', 'customer', 'device', 'invoice', 'payment', 'position', 'trip', 'vehicle'];

describe('the tracking example policy, planned and applied', () => {
  let policy: Policy;
  let admin: ReturnType<typeof kyselyFor>;
  let owner: ReturnType<typeof kyselyFor>;
  let directory: string;

  beforeAll(async () => {
    policy = await loadPolicy(EXAMPLE);
    const role = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    admin = kyselyFor(role.url);
    owner = kyselyFor(db.url);
    directory = await mkdtemp(join(tmpdir(), 'integritet-policy-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('classifies every column of every table of the reference schema', async () => {
    const { rows } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
       where table_schema = 'public' and table_name = any(${TABLES}::text[])`.execute(owner);
    const unclassified = rows.filter((r) => !(r.column_name in (policy.tables[r.table_name]?.columns ?? {})));
    expect(unclassified).toEqual([]);
    expect(Object.keys(policy.tables).sort()).toEqual(TABLES);
  });

  it('plan on a fresh database shows all of it, and changes nothing', async () => {
    const before = await catalogFootprint(owner);
    const plan = await planPolicy(admin, policy);
    const columns = Object.values(policy.tables).reduce((n, t) => n + Object.keys(t.columns).length, 0);
    const count = (kind: string) => plan.changes.filter((c) => c.kind === kind && c.action === 'add').length;
    expect(count('protection')).toBe(9);
    expect(count('column')).toBe(columns);
    expect(count('retention')).toBe(Object.values(policy.tables).filter((t) => t.retention).length);
    expect(count('subject-type')).toBe(4);
    expect(count('subject-link')).toBe(4 + 8 + 2); // each key, customer's 8 links, device's 2
    expect(plan.summary).toEqual({ add: plan.changes.length, change: 0, remove: 0 });
    expect(plan.newlyProtected.sort()).toEqual(TABLES.map((t) => `public.${t}`));
    const text = formatPlan(plan);
    expect(text).toContain('public.customer');
    expect(text).toMatch(/\+ email +contact · mask email/);
    expect(text).toContain('Tables that would become protected');
    expect(await catalogFootprint(owner)).toBe(before);
  });

  it('apply then plan shows nothing, and every change reached the ledger', async () => {
    const { rows: [latest] } = await sql<{ last: string }>`select coalesce(max(id), 0) as last from privacy.ledger`.execute(owner);
    const last = latest!.last;
    const applied: string[] = [];
    const result = await applyPolicy(admin, policy, { onChange: (c) => applied.push(c.object) });
    expect(applied.length).toBe(result.plan.changes.length);
    const again = await planPolicy(admin, policy);
    expect(again.changes).toEqual([]);
    expect(formatPlan(again)).toContain('No changes');
    const { rows } = await sql<{ action: string; n: string }>`
      select action, count(*) as n from privacy.ledger where id > ${last} group by action`.execute(owner);
    const entries = Object.fromEntries(rows.map((r) => [r.action, Number(r.n)]));
    expect(entries['column_rule.insert']).toBe(result.plan.changes.filter((c) => c.kind === 'column').length);
    expect(entries['protected_table.insert']).toBe(9);
    expect(entries['retention_policy.insert']).toBe(result.plan.changes.filter((c) => c.kind === 'retention').length);
  });

  it('stored strategy parameters are snake_case, as SQL reads them', async () => {
    const { rows } = await sql<{ mask_params: unknown }>`
      select mask_params from privacy.column_rule where table_name = 'customer' and column_name = 'org_number'`.execute(owner);
    expect(rows[0]!.mask_params).toEqual({ keep_first: 2, keep_last: 0 });
  });

  it('a changed policy plans exactly its changes; without prune, nothing is removed', async () => {
    const edited = changed(policy, (p) => {
      p.tables.customer.columns.phone = { category: 'contact', mask: 'partial', maskParams: { keepLast: 2, keepFirst: 0 }, anonymize: 'null' };
      delete p.tables.customer.columns.city;
      p.tables.position.retention.keep = '60 days';
      delete p.tables.admin_user.retention;
      p.tables.vehicle.tenantColumn = undefined;
      p.subjects.device.links = ['position.device_id'];
    });
    const plan = await planPolicy(admin, edited);
    const summary = plan.changes.map((c) => `${c.action} ${c.kind} ${c.object}${c.changed.length ? ` (${c.changed.join(', ')})` : ''}`);
    expect(summary.sort()).toEqual([
      'change column public.customer.phone (mask, maskParams)',
      'change protection public.vehicle (tenantColumn)',
      'change retention public.position (keep)',
      'remove column public.customer.city',
      'remove retention public.admin_user',
      'remove subject-link device: public.trip.device_id',
    ]);
    expect(plan.changes.find((c) => c.action === 'remove' && c.kind === 'column')!.path).toBe('tables.customer.columns.city');
    expect(plan.warnings).toContain('public.customer: 1 column not in the policy, treated as personal: city');

    const keeping = await planPolicy(admin, edited, { prune: false });
    expect(keeping.changes.every((c) => c.action !== 'remove')).toBe(true);

    await applyPolicy(admin, edited);
    expect((await planPolicy(admin, edited)).changes).toEqual([]);
    // And back again.
    await applyPolicy(admin, policy);
    expect((await planPolicy(admin, policy)).changes).toEqual([]);
  });

  it('equal keep periods written differently are no change', async () => {
    const edited = changed(policy, (p) => { p.tables.trip.retention.keep = '12 months'; });
    expect((await planPolicy(admin, edited)).changes).toEqual([]);
  });

  it('pull writes a policy (TypeScript or JSON) that plans to nothing, keeping purposes from the file', async () => {
    const pulled = await pullPolicy(admin, { existing: policy });
    expect(pulled.warnings).toEqual([]);
    expect(pulled.policy.tables.invoice?.purpose).toBe(policy.tables.invoice?.purpose);
    expect(pulled.policy.controller).toEqual(policy.controller);
    const ts = join(directory, 'pulled.config.ts');
    await writeFile(ts, renderPolicyFile(pulled.policy, {
      format: 'ts', importFrom: new URL('../../src/index.ts', import.meta.url).pathname,
    }));
    const json = join(directory, 'pulled.json');
    await writeFile(json, renderPolicyFile(pulled.policy, { format: 'json' }));
    for (const file of [ts, json]) {
      const loaded = await loadPolicy(file);
      expect((await planPolicy(admin, loaded)).changes).toEqual([]);
    }
  });

  it('a table the policy no longer names loses its declarations (prune)', async () => {
    const edited = changed(policy, (p) => { delete p.tables.vehicle; });
    const plan = await planPolicy(admin, edited);
    expect(plan.noLongerProtected).toEqual(['public.vehicle']);
    expect(plan.changes.filter((c) => c.action === 'remove' && c.kind === 'column')).toHaveLength(Object.keys(policy.tables.vehicle!.columns).length);
    expect(formatPlan(plan)).toContain('Tables that would lose their protection');
  });

  it('a subject type the policy does not name is kept, with a warning', async () => {
    const edited = changed(policy, (p) => { delete p.subjects.user; });
    const plan = await planPolicy(admin, edited);
    expect(plan.changes.filter((c) => c.kind === 'subject-type' || c.kind === 'subject-link')).toEqual([]);
    expect(plan.warnings.join('\n')).toMatch(/subject type user is declared in the database but not in the policy/);
  });

  it('applies inside the caller\'s transaction, which then decides', async () => {
    const before = await catalogFootprint(owner);
    const edited = changed(policy, (p) => { p.tables.trip.columns.purpose.category = 'special'; });
    await admin.transaction().execute(async (trx) => {
      await applyPolicy(trx, edited);
      expect((await planPolicy(trx, edited)).changes).toEqual([]);
      throw new Error('changed my mind');
    }).catch(() => undefined);
    expect(await catalogFootprint(owner)).toBe(before);
  });
});
