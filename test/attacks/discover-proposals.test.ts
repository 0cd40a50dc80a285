import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { discoverPolicy, type Discovery } from '../../src/policy/discover/discover-policy.ts';
import { validatePolicy } from '../../src/policy/policy-schema.ts';
import { kyselyFor } from '../policy/policy-fixtures.ts';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { attempt } from './fixture.ts';
import { createRentalApp } from './rental-fixture.ts';

// A DBA runs `discover` on a schema nobody classified and applies what it proposes. A column it
// does not recognise must not come out published raw: it stays unclassified (hidden) with a
// note to review. Tables that only name a subject (payments, rentals) are personal data too.
const db = useTestDatabase('rental');
let discovery: Discovery;
let app: LoginRole;

beforeAll(async () => {
  // Columns no pattern knows: health data in plain words, a note with a phone number in it.
  await db.pool().query(`
    alter table customer add column allergies text;
    update customer set allergies = (array['nötter', 'laktos', 'gluten', null])[1 + customer_id % 4];
    alter table rental add column reason text;
    update rental set reason = 'kunden ringer från 070-' || (100 + rental_id) || ' 12 34 om förseningen' where rental_id % 5 = 0;
    analyze`);
  discovery = await discoverPolicy(kyselyFor(db.url), { sampleSize: 100 });
  app = await createRentalApp(db);
});

describe('applying what discover proposes', () => {
  it('leaves an unrecognised column unclassified with a note instead of proposing not_personal', () => {
    const customer = discovery.policy.tables.customer!;
    expect(customer.columns.allergies).toBeUndefined();
    expect(discovery.findings.find((f) => f.table === 'public.customer' && f.column === 'allergies')).toMatchObject({
      kind: 'nothing_personal', suggestion: undefined,
    });
    expect(discovery.comments.get('tables.customer')!.join('\n')).toMatch(/left unclassified .*review: .*allergies/);
    expect(Object.values(discovery.policy.tables).flatMap((t) => Object.entries(t.columns))
      .filter(([, c]) => c.category === 'not_personal').map(([name]) => name)
      .every((name) => /(^|_)(id|uuid|pk)$|_id$/.test(name)), 'only keys are proposed as not personal').toBe(true);
    expect(discovery.policy.tables.rental!.columns.reason?.category).not.toBe('not_personal');
  });

  it('proposes the tables linked to a customer for protection, and the evident tenant', () => {
    for (const table of ['rental', 'payment', 'customer_mailing_list', 'film_review']) {
      expect(discovery.policy.tables[table]!.protect, table).not.toBe(false);
    }
    expect(discovery.comments.get('tables.payment')!.join('\n')).toContain('linked to public.customer by a foreign key');
    for (const table of ['customer', 'staff', 'inventory', 'mailing_list', 'store']) {
      expect(discovery.policy.tables[table]!.tenantColumn, table).toBe('store_id');
    }
    expect(discovery.policy.tables.rental!.tenantColumn).toBeUndefined();
    expect(validatePolicy(discovery.policy).ok).toBe(true);
  });

  it('applied as proposed, the application login reads no allergy and no phone number in a note', async () => {
    await applyPolicy(kyselyFor(db.url), discovery.policy);
    await db.pool().query('revoke all on customer, rental from rental_app');
    const read = await asRole(app, async (client) => {
      await client.query('begin');
      await client.query(`select privacy.set_tenant('1')`);
      const outcome = await attempt(client, `
        select (select count(*)::int from customer) as customers,
               (select count(allergies)::int from customer) as allergies,
               (select count(*)::int from rental where reason ~ '070-[0-9]{3} 12 34') as phones`);
      await client.query('rollback');
      return outcome;
    });
    expect(read.error).toBeUndefined();
    expect(read.rows[0]).toMatchObject({ allergies: 0, phones: 0 });
    expect(read.rows[0]!.customers).toBeGreaterThan(0);
  });
});
