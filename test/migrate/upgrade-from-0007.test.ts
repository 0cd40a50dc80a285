// An upgrade for real: a database installed by an earlier release and in use, frozen in
// test/fixtures as pg_dump wrote it (the release of commit 82b127c, the first with migration
// 0007: its install, the reference schema and data of that release at scale 0.05, and that
// release's reference policy applied by its own `integritet apply`), given erasures, holds,
// restrictions and requests, then upgraded by this version's `migrate up`. Every protection,
// restriction and hold must hold as before. The policy is the old release's own: this version's
// policy file uses strategies and declarations the old release does not have.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateUp, migrationStatus } from '../../src/migrate/migrator.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';
import { CUSTOMER_TABLES } from '../subjects/subject-fixtures.ts';
import { query, value } from './toolkit-in-use.ts';

const OLD_RELEASE_IN_USE = fileURLToPath(new URL('../fixtures/integritet-0007-in-use.sql', import.meta.url));

/** What the application's role reads of every customer table, per tenant: counts and a masked sample. */
async function whatTheAppReads(url: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const seen: Record<string, unknown> = {};
    for (const tenant of ['1', '2', '3', '4', '5']) {
      await client.query('begin');
      await client.query('set local role privacy_view_owner');
      await client.query('select privacy.set_tenant($1)', [tenant]);
      for (const table of CUSTOMER_TABLES) {
        const { rows } = await client.query(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
                                             from masked.${table} t`);
        seen[`${tenant}/${table}`] = rows[0];
      }
      await client.query('rollback');
    }
    return seen;
  } finally {
    await client.end();
  }
}

describe('upgrading a database in use from the release that introduced migration 0007', () => {
  let db: TestDatabase;
  let before: { reads: Record<string, unknown>; restricted: unknown[]; holds: unknown[]; requests: unknown[]; ledger: number };
  beforeAll(async () => {
    db = await createScratchDatabase();
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-f', OLD_RELEASE_IN_USE], { stdio: ['ignore', 'ignore', 'pipe'] });
    await query(db.url, `
      select * from privacy.erase_subject('customer', '2', 'asked to be forgotten');
      select privacy.place_hold('customer', '3', 'legal_claim', review_on => current_date + 60, note => 'dispute');
      select * from privacy.restrict_subject('customer', '4', 'accuracy contested');
      select privacy.receive_subject_request('access', 'customer', '5');`);
    before = {
      reads: await whatTheAppReads(db.url),
      restricted: await query(db.url, 'select schema_name, table_name, row_key, origin from privacy.restricted_row order by 1, 2, 3, 4'),
      holds: await query(db.url, 'select id, subject_type, subject_id, reason, review_on from privacy.hold where released_at is null order by id'),
      requests: await query(db.url, 'select id, kind, subject_id, deadline, status from privacy.subject_request order by id'),
      ledger: await value<number>(db.url, 'select count(*)::int from privacy.ledger'),
    };
  }, 180_000);

  it('the old release is what is installed: its history ends at 0007', async () => {
    expect(await value(db.url, `select max(name) from privacy.schema_migration where kind = 'versioned'`)).toBe('0007-hidden-rows');
    expect(before.restricted.length).toBeGreaterThan(0);
  });

  it('migrate up brings it to this version: every later migration, every changed definition, nothing left to apply', async () => {
    const result = await migrateUp(db.url);
    expect(result.versioned).toContain('0010-toolkit-objects');
    expect(result.versioned).not.toContain('0007-hidden-rows');
    expect(result.repeatable.length).toBeGreaterThan(0);
    expect((await migrationStatus(db.url)).filter((s) => s.state !== 'applied')).toEqual([]);
  });

  it('the application reads exactly what it read before: the same rows of each tenant, masked the same way', async () => {
    expect(await whatTheAppReads(db.url)).toEqual(before.reads);
  });

  it('restrictions, holds, requests and the ledger are all still there', async () => {
    expect(await query(db.url, 'select schema_name, table_name, row_key, origin from privacy.restricted_row order by 1, 2, 3, 4'))
      .toEqual(before.restricted);
    expect(await query(db.url, 'select id, subject_type, subject_id, reason, review_on from privacy.hold where released_at is null order by id'))
      .toEqual(before.holds);
    expect(await query(db.url, 'select id, kind, subject_id, deadline, status from privacy.subject_request order by id'))
      .toEqual(before.requests);
    expect(await value<number>(db.url, 'select count(*)::int from privacy.ledger')).toBeGreaterThanOrEqual(before.ledger);
  });

  it('the hold still holds: an erasure of the held customer keeps its rows', async () => {
    const rows = await query<{ outcome: string }>(db.url, `select outcome from privacy.erase_subject('customer', '3', 'after the upgrade')`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => !/^(deleted|anonymized)$/.test(r.outcome) )).toBe(true);
  });

  it('verify finds nothing wrong with the generated objects or the catalog', async () => {
    expect(await query(db.url, `select check_name, object from privacy.verify()
                                where check_name like 'masked_view%' or check_name like 'catalog\\_%' or check_name = 'restricted_row_not_hidden'`))
      .toEqual([]);
  });
});
