import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { attempt } from './fixture.ts';
import { createRentalApp, verifyFindings } from './rental-fixture.ts';

// Right after `migrate up` nothing is protected: the application reads every personal column raw
// and every other check has nothing to look at. verify and status must not call that clean.
const db = useTestDatabase('rental');
let app: LoginRole;

beforeAll(async () => {
  app = await createRentalApp(db);
});

function cli(command: string) {
  return spawnSync(process.execPath, ['bin/integritet.js', command, '--json', '--database-url', db.url], { encoding: 'utf8' });
}

describe('a fresh install where nothing is protected yet', () => {
  it('the application reads raw personnummer of every store, and verify names each table holding personal columns (medium)', async () => {
    const raw = await asRole(app, (client) => attempt(client, 'select count(distinct store_id)::int as stores, min(personnummer) as pnr from customer'));
    expect(raw.rows[0]).toMatchObject({ stores: 2, pnr: expect.stringMatching(/^\d{8}-\d{4}$/) });

    const findings = (await verifyFindings(db)).filter((f) => f.check_name === 'unprotected_personal_table');
    const byTable = new Map(findings.map((f) => [f.object, f]));
    for (const table of ['public.customer', 'public.staff', 'public.address', 'public.film_review']) {
      expect(byTable.get(table)?.severity, table).toBe('medium');
    }
    expect(byTable.get('public.customer')!.message).toContain('personnummer (personnummer by its name)');
    expect(byTable.get('public.address')!.message).toContain('phone (phone by its name)');
    expect(byTable.get('public.customer')!.message).toContain(`select privacy.protect_table('public.customer', tenant_column => ...)`);
    // Nothing personal by name or value: not named.
    expect(byTable.has('public.inventory')).toBe(false);
    expect(byTable.has('public.customer_mailing_list')).toBe(false);
  });

  it('values count as evidence where the name says nothing, and a classification outranks both', async () => {
    await db.pool().query(`
      create table lead (lead_id serial primary key, info text, ref text);
      insert into lead (info, ref) select 'lead' || i || '@example.se', '19' || (800101 + i) || '-1234' from generate_series(1, 20) i`);
    const lead = (await verifyFindings(db)).find((f) => f.object === 'public.lead');
    expect(lead?.message).toContain('info (e-mail addresses in 20 sampled values), ref (personnummer in 20 sampled values)');

    await db.pool().query(`select privacy.classify_column('lead', 'info', 'not_personal'); select privacy.classify_column('lead', 'ref', 'not_personal')`);
    expect((await verifyFindings(db)).find((f) => f.object === 'public.lead')).toBeUndefined();
    await db.pool().query(`select privacy.classify_column('lead', 'ref', 'identifier')`);
    expect((await verifyFindings(db)).find((f) => f.object === 'public.lead')?.message).toContain('ref (classified identifier)');
    await db.pool().query('drop table lead');
  });

  it('once customer is protected, the tables that only name a customer (rentals, payments by partition) are named', async () => {
    await db.pool().query(`select privacy.protect_table('customer', tenant_column => 'store_id')`);
    const findings = (await verifyFindings(db)).filter((f) => f.check_name === 'unprotected_personal_table');
    for (const table of ['public.rental', 'public.payment', 'public.customer_mailing_list']) {
      expect(findings.find((f) => f.object === table)?.message, table).toContain('customer_id (refers to protected table public.customer)');
    }
    await db.pool().query(`select privacy.unprotect_table('customer')`);
  });

  it('status counts them and says so instead of staying silent', () => {
    const json = JSON.parse(cli('status').stdout) as { summary: { protection: Record<string, number> } };
    expect(json.summary.protection.protected_tables).toBe(0);
    expect(json.summary.protection.unprotected_personal_tables).toBeGreaterThanOrEqual(4);
    const text = spawnSync(process.execPath, ['bin/integritet.js', 'status', '--database-url', db.url], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(/\d+ tables hold personal columns and are not protected: integritet verify names them/);
  }, 180_000); // two command-line runs: slow on a busy machine
});
