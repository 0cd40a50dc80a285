import { sql, type Kysely } from 'kysely';
import { afterAll } from 'vitest';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import type { Policy } from '../../src/policy/policy-types.ts';

/**
 * Everything a declaration can change — the catalog tables and the ledger — as one value, so a
 * test can show that a refused policy changed nothing at all.
 */
export async function catalogFootprint(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ footprint: string }>`
    select concat_ws('/',
      (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from privacy.column_rule t),
      (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from privacy.protected_table t),
      (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from privacy.subject_type t),
      (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from privacy.subject_link t),
      (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from privacy.retention_policy t),
      (select count(*) from privacy.hold),
      (select coalesce(max(id), 0) from privacy.ledger)) as footprint`.execute(db);
  return rows[0]!.footprint;
}

/** A Kysely instance on `url`, destroyed after the test file. */
export function kyselyFor(url: string): Kysely<any> {
  const db = openKysely(url, { max: 2 });
  afterAll(() => db.destroy());
  return db;
}

/** A small valid policy for the tracking schema, to break in one place per test. */
export function smallPolicy(): Policy {
  return {
    tables: {
      customer: {
        tenantColumn: 'id',
        purpose: 'Customer relationship',
        legalBasis: 'contract',
        columns: {
          id: { category: 'not_personal' },
          name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 } },
          email: { category: 'contact', mask: 'email', anonymize: 'null' },
        },
      },
      invoice: {
        tenantColumn: 'customer_id',
        columns: {
          customer_id: { category: 'not_personal' },
          billing_name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 } },
        },
        retention: { anchor: 'issued_on', keep: '1 year', action: 'anonymize', minimum: 'bookkeeping', minimumAnchor: 'fiscal_year_end' },
      },
    },
    subjects: {
      customer: { table: 'customer', key: 'id', links: ['invoice.customer_id'] },
    },
  };
}

/** A deep copy of a policy, changed by `change` (for breaking it on purpose). */
export function changed(policy: Policy, change: (draft: any) => void): any {
  const draft = structuredClone(policy);
  change(draft);
  return draft;
}
