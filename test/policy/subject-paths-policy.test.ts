import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { PolicyError } from '../../src/policy/policy-error.ts';
import { validatePolicy } from '../../src/policy/policy-schema.ts';
import type { Policy } from '../../src/policy/policy-types.ts';
import { planPolicy } from '../../src/policy/plan-policy.ts';
import { pullPolicy } from '../../src/policy/pull-policy.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { kyselyFor } from './policy-fixtures.ts';

// The rental schema's subject graph as a policy file declares it: a column taken on trust, an
// address the customer row references, a join table and its other side, a review two hops away.
const db = useTestDatabase('rental');

const POLICY: Policy = {
  tables: {},
  subjects: {
    customer: {
      table: 'customer',
      key: 'customer_id',
      links: ['rental.customer_id', 'customer_mailing_list.customer_id', { column: 'payment.customer_id', unchecked: true }],
      paths: [
        { table: 'address', through: 'customer' },
        { table: 'mailing_list', through: 'customer_mailing_list' },
        { table: 'film_review', through: 'rental', foreignKey: 'film_review_rental_id_fkey' },
      ],
    },
  },
};

describe('subject paths and unchecked links in the policy file', () => {
  let owner: ReturnType<typeof kyselyFor>;
  beforeAll(() => {
    owner = kyselyFor(db.url);
  });

  it('are validated without a database: a path needs the table it goes through', () => {
    const result = validatePolicy({ tables: {}, subjects: { customer: { table: 'customer', key: 'customer_id', paths: [{ table: 'address' }] } } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.path)).toEqual(['subjects.customer.paths[0].through']);
    expect(validatePolicy(POLICY).ok).toBe(true);
  });

  it('a link no foreign key backs, not declared unchecked, fails at its place in the file and changes nothing', async () => {
    const bad: Policy = { tables: {}, subjects: { customer: { table: 'customer', key: 'customer_id', links: ['payment.customer_id'] } } };
    const error = await applyPolicy(owner, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).issues[0]).toMatchObject({ path: 'subjects.customer.links[0]', code: 'PV409' });
    expect((await db.pool().query(`select count(*)::int as n from privacy.subject_type`)).rows[0].n).toBe(0);
  });

  it('plans, applies, and then plans nothing more; pull gives the same graph back', async () => {
    const plan = await planPolicy(owner, POLICY);
    expect(plan.changes.filter((c) => c.kind === 'subject-path').map((c) => c.object)).toEqual([
      'customer: public.address through public.customer',
      'customer: public.mailing_list through public.customer_mailing_list',
      'customer: public.film_review through public.rental',
    ]);
    await applyPolicy(owner, POLICY);
    const { rows } = await db.pool().query(`select table_name, parent_table, direction from privacy.subject_path order by table_name`);
    expect(rows).toEqual([
      { table_name: 'address', parent_table: 'customer', direction: 'referenced_by' },
      { table_name: 'film_review', parent_table: 'rental', direction: 'references' },
      { table_name: 'mailing_list', parent_table: 'customer_mailing_list', direction: 'referenced_by' },
    ]);
    expect((await planPolicy(owner, POLICY)).changes).toEqual([]);
    const pulled = (await pullPolicy(owner)).policy;
    expect(pulled.subjects!.customer!.links).toEqual(expect.arrayContaining([{ column: 'payment.customer_id', unchecked: true }, 'rental.customer_id']));
    expect(pulled.subjects!.customer!.paths).toEqual(expect.arrayContaining([
      { table: 'address', through: 'customer', foreignKey: 'customer_address_id_fkey' },
      { table: 'film_review', through: 'rental', foreignKey: 'film_review_rental_id_fkey' },
    ]));
    expect((await planPolicy(owner, pulled)).changes).toEqual([]);
  });

  it('removes a path the file no longer names, with prune', async () => {
    const fewer: Policy = structuredClone(POLICY);
    fewer.subjects!.customer!.paths = fewer.subjects!.customer!.paths!.filter((p) => p.table !== 'mailing_list');
    await applyPolicy(owner, fewer, { prune: true });
    const { rows } = await db.pool().query(`select table_name from privacy.subject_path order by table_name`);
    expect(rows.map((r) => r.table_name)).toEqual(['address', 'film_review']);
  });
});
