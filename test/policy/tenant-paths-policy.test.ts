import { beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp } from '../../src/migrate/migrator.ts';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { formatPlan } from '../../src/policy/format-plan.ts';
import { PolicyError } from '../../src/policy/policy-error.ts';
import { renderPolicyFile } from '../../src/policy/policy-file-writer.ts';
import { validatePolicy } from '../../src/policy/policy-schema.ts';
import type { Policy } from '../../src/policy/policy-types.ts';
import { planPolicy } from '../../src/policy/plan-policy.ts';
import { pullPolicy } from '../../src/policy/pull-policy.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { kyselyFor } from './policy-fixtures.ts';

// The rental schema's tenants as a policy file declares them: a column of the table's own
// (customer), one join away (rental), two joins away (film_review), shared on purpose (film),
// and a protected table that declares none (inventory), which plan must not call isolated.
const db = useTestDatabase('rental');

const notPersonal = (...columns: string[]) => Object.fromEntries(columns.map((c) => [c, { category: 'not_personal' }]));

const POLICY: Policy = {
  tables: {
    customer: {
      tenantColumn: 'store_id',
      columns: {
        ...notPersonal('customer_id', 'store_id', 'address_id', 'activebool', 'create_date', 'last_update'),
        first_name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 } },
        last_name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 } },
        email: { category: 'contact', mask: 'email' },
        personnummer: { category: 'identifier' },
      },
    },
    rental: {
      tenant: { via: 'customer_id', column: 'store_id' },
      columns: notPersonal('rental_id', 'rental_date', 'inventory_id', 'customer_id', 'return_date', 'staff_id', 'last_update'),
    },
    film_review: {
      tenant: { via: ['rental_id', 'customer_id'], column: 'store_id' },
      columns: { ...notPersonal('review_id', 'rental_id', 'stars', 'posted_at'), body: { category: 'free_text' } },
    },
    film: {
      tenant: 'shared',
      columns: notPersonal('film_id', 'title', 'description', 'release_year', 'rental_rate', 'last_update'),
    },
    inventory: { columns: notPersonal('inventory_id', 'film_id', 'store_id', 'last_update') },
  },
};

function issuesOf(input: unknown): string[] {
  const result = validatePolicy(input);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('tenant paths in the policy file', () => {
  let owner: ReturnType<typeof kyselyFor>;
  beforeAll(() => {
    owner = kyselyFor(db.url);
  });

  it('are validated without a database, with messages that name the forms', () => {
    expect(issuesOf(POLICY)).toEqual([]);
    const table = (tenant: unknown, extra: Record<string, unknown> = {}) => ({ tables: { rental: { tenant, columns: {}, ...extra } } });
    expect(issuesOf(table('none'))).toEqual([
      `tables.rental.tenant: unknown tenant "none": tenant must be { via: 'fk_column', column: 'tenant_column' }, `
        + `{ via: ['fk_column', 'next_fk_column'], column: 'tenant_column' } or 'shared'`,
    ]);
    expect(issuesOf(table({ via: [], column: 'store_id' }))).toEqual(['tables.rental.tenant.via: a path needs at least one foreign-key column']);
    expect(issuesOf(table({ via: 'customer_id' }))).toEqual(['tables.rental.tenant.column: the tenant column of the table the path leads to is missing']);
    expect(issuesOf(table({ vai: 'customer_id', column: 'store_id' }))).toEqual([
      expect.stringMatching(/^tables\.rental\.tenant\.vai: unknown key "vai" \(did you mean "via"\?\)/),
      'tables.rental.tenant.via: the foreign-key column(s) leading to the tenant are missing',
    ]);
    expect(issuesOf(table({ via: ['rental_id', 'x y'], column: 'store_id' }))).toEqual([
      'tables.rental.tenant.via[1]: must be a column name as in the catalog: letters, digits, _ and $',
    ]);
    expect(issuesOf(table('shared', { tenantColumn: 'store_id' }))).toEqual([
      'tables.rental.tenant: give either tenantColumn (a column of the table) or tenant (through foreign keys, or shared), not both',
    ]);
  });

  it('plan says which tables are tenant-isolated, which are shared, and which every tenant reads', async () => {
    const plan = await planPolicy(owner, POLICY);
    expect(plan.newlyProtected.sort()).toEqual(['public.customer', 'public.film_review', 'public.rental']);
    expect(plan.sharedTables).toEqual(['public.film']);
    expect(plan.everyTenantReads).toEqual(['public.inventory']);
    const text = formatPlan(plan);
    expect(text).toMatch(/\+ protect +tenant store_id through customer_id\n/);
    expect(text).toContain('tenant store_id through rental_id → customer_id');
    expect(text).toContain('shared: every tenant reads its rows');
    expect(text).toContain('no tenant: every tenant sees its rows');
    expect(text).toMatch(/Protected tables that every tenant reads.*\n {2}public\.inventory/);
  });

  it('applies, then plans nothing more; pull writes the same tenants back', async () => {
    await applyPolicy(owner, POLICY);
    const { rows } = await db.pool().query(`
      select table_name, tenant_column, tenant_via::text[] as via, shared from privacy.protected_table order by table_name`);
    expect(rows).toEqual([
      { table_name: 'customer', tenant_column: 'store_id', via: null, shared: false },
      { table_name: 'film', tenant_column: null, via: null, shared: true },
      { table_name: 'film_review', tenant_column: 'store_id', via: ['rental_id', 'customer_id'], shared: false },
      { table_name: 'inventory', tenant_column: null, via: null, shared: false },
      { table_name: 'rental', tenant_column: 'store_id', via: ['customer_id'], shared: false },
    ]);
    expect((await planPolicy(owner, POLICY)).changes).toEqual([]);
    const pulled = (await pullPolicy(owner)).policy;
    expect(pulled.tables.rental!.tenant).toEqual({ via: 'customer_id', column: 'store_id' });
    expect(pulled.tables.film_review!.tenant).toEqual({ via: ['rental_id', 'customer_id'], column: 'store_id' });
    expect(pulled.tables.film!.tenant).toBe('shared');
    expect(pulled.tables.customer!.tenantColumn).toBe('store_id');
    expect(renderPolicyFile(pulled, { format: 'ts' })).toContain("tenant: { via: 'customer_id', column: 'store_id' }");
    expect((await planPolicy(owner, pulled)).changes).toEqual([]);
  });

  it('changing a path shows the old and the new one', async () => {
    const moved: Policy = structuredClone(POLICY);
    moved.tables.film_review!.tenant = 'shared';
    const plan = await planPolicy(owner, moved);
    const text = formatPlan(plan);
    expect(text).toMatch(/~ protect .*tenantVia \["rental_id","customer_id"\] → \(none\)/);
  });

  it('a path no foreign key backs fails at its place in the file (PV016) and changes nothing', async () => {
    const bad: Policy = structuredClone(POLICY);
    bad.tables.payment = { tenant: { via: 'customer_id', column: 'store_id' }, columns: notPersonal('payment_id') };
    const error = await applyPolicy(owner, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).issues[0]).toMatchObject({ path: 'tables.payment.tenant', code: 'PV016' });
    expect((error as PolicyError).issues[0]!.message).toMatch(/column customer_id of public\.payment is not a single-column foreign key/);
    expect((await db.pool().query(`select count(*)::int as n from privacy.protected_table where table_name = 'payment'`)).rows[0].n).toBe(0);
  });

  it('migrating below 0015 is refused while a table reaches its tenant through foreign keys, and works once none does', async () => {
    const refused = await migrateDown(db.url, { to: '0015-tenant-paths' }).catch((e: unknown) => e as Error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/public\.film_review, public\.rental/);
    expect((await db.pool().query(`select count(*)::int as n from privacy.protected_table where tenant_via is not null`)).rows[0].n).toBe(2);
    await db.pool().query(`select privacy.unprotect_table('rental'); select privacy.unprotect_table('film_review')`);
    await migrateDown(db.url, { to: '0015-tenant-paths' });
    const { rows } = await db.pool().query(`select count(*)::int as n from pg_attribute
                                            where attrelid = 'privacy.protected_table'::regclass and attname = 'tenant_via'`);
    expect(rows[0].n).toBe(0);
    await migrateUp(db.url);
    await applyPolicy(owner, POLICY);
    expect((await planPolicy(owner, POLICY)).changes).toEqual([]);
  });
});
