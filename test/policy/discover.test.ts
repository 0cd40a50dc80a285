import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { renderPolicyFile } from '../../src/policy/policy-file-writer.ts';
import { kindFromName } from '../../src/policy/discover/column-name-patterns.ts';
import { discoverPolicy } from '../../src/policy/discover/discover-policy.ts';
import { isOrganisationsnummer, isPersonnummer, luhnValid } from '../../src/policy/discover/swedish-identity-numbers.ts';
import { kindFromValues } from '../../src/policy/discover/value-patterns.ts';
import { planPolicy } from '../../src/policy/plan-policy.ts';
import { validatePolicy } from '../../src/policy/policy-schema.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { catalogFootprint, kyselyFor } from './policy-fixtures.ts';

const db = useTestDatabase('tracking');

describe('recognising personal data in values', () => {
  it('checks the Luhn digit of personnummer and organisation numbers', () => {
    expect(luhnValid('8112189876')).toBe(true);
    expect(isPersonnummer('811218-9876')).toBe(true);
    expect(isPersonnummer('19811218-9876')).toBe(true);
    expect(isPersonnummer('811218-9875')).toBe(false); // wrong check digit
    expect(isPersonnummer('811318-9874')).toBe(false); // month 13
    expect(isOrganisationsnummer('556834-5044')).toBe(true);
    expect(isOrganisationsnummer('556834-5045')).toBe(false);
    expect(isOrganisationsnummer('811218-9876')).toBe(false); // a personnummer (third digit < 2)
  });

  it.each([
    [['anna@example.se', 'per.berg@firma.example', 'x@y.org'], 'email'],
    [['070-174 06 40', '+46 70 123 45 67', '08-123 456 78'], 'phone'],
    [['811218-9876', '19700101-0017', '556834-5044'], 'personnummer'],
    [['556834-5044', '556507-9331'], 'org_number'],
    [['192.0.2.10', '2001:db8::ce44', '10.0.0.0/8'], 'ip_address'],
    [['Anna Svensson', 'Per Lindqvist', 'Karin Berg'], 'person_name'],
    [['Storgatan 28, 151 73 Södertälje', 'Kyrkvägen 3', 'Hamngatan 12'], 'street_address'],
    [['151 73', '222 41', '35297'], 'postal_code'],
    [['$2b$12$MqiRls/WKMpXi/9wVpp5h0QZBgEqlL8uZ0OICGCwiQnyzGZ8J0Ibt', '$argon2id$v=19$m=65536,t=3,p=4$abc'], 'credential'],
    [['358200010298192', '8946086238828129147'], 'device_identifier'],
    [['ABC123', 'NKU25D'], 'vehicle_registration'],
    [['Ring Anna på 070-123 45 67 om larmet går', 'Lånas ut till Erik på helger, nyckel i receptionen'], 'free_text'],
  ])('%j are %s', (values, kind) => {
    expect(kindFromValues(values)?.kind).toBe(kind);
  });

  it('tells what free text contains', () => {
    const evidence = kindFromValues(['Vid larm kontakta karin@verkstad.example snarast', 'Service bokad, verkstaden nås på 070-174 06 30.']);
    expect(evidence?.notes.join('; ')).toMatch(/1 contain an e-mail address; 1 a phone number/);
  });

  it('finds nothing personal in codes and amounts', () => {
    expect(kindFromValues(['open', 'paid', 'overdue'])).toBeUndefined();
    expect(kindFromValues(['4792.00', '812.00'])).toBeUndefined();
  });

  it('reads hints from column names', () => {
    expect(kindFromName('email')?.kind).toBe('email');
    expect(kindFromName('lastLoginIp')?.kind).toBe('ip_address');
    expect(kindFromName('first_name')?.kind).toBe('person_name');
    expect(kindFromName('customer_id')?.kind).toBe('row_key');
    expect(kindFromName('amount_sek')).toBeUndefined();
  });
});

describe('discover on the tracking database', () => {
  it('proposes a classification for every column, with evidence, and changes nothing', async () => {
    const owner = kyselyFor(db.url);
    const before = await catalogFootprint(owner);
    const discovery = await discoverPolicy(owner, { tenantColumn: 'customer_id', sampleSize: 100 });
    expect(await catalogFootprint(owner)).toBe(before);

    const kindOf = (table: string, column: string) =>
      discovery.findings.find((f) => f.table === `public.${table}` && f.column === column)?.kind;
    expect(kindOf('customer', 'email')).toBe('email');
    expect(kindOf('customer', 'phone')).toBe('phone');
    expect(kindOf('customer', 'org_number')).toMatch(/personnummer|org_number/);
    expect(kindOf('contact_person', 'first_name')).toBe('person_name');
    expect(kindOf('admin_user', 'last_login_ip')).toBe('ip_address');
    expect(kindOf('admin_user', 'password_hash')).toBe('credential');
    expect(kindOf('invoice', 'billing_address')).toBe('street_address');
    expect(kindOf('position', 'lat')).toBe('coordinate');
    expect(kindOf('vehicle', 'notes')).toBe('free_text');
    expect(kindOf('device', 'imei')).toBe('device_identifier');
    expect(kindOf('invoice', 'status')).toBe('nothing_personal');

    const email = discovery.findings.find((f) => f.table === 'public.customer' && f.column === 'email')!;
    expect(email.confidence).toBe('high');
    expect(email.evidence.join('; ')).toMatch(/sampled values are e-mail addresses/);
    expect(email.suggestion).toMatchObject({ category: 'contact', mask: 'email' });
    expect(discovery.comments.get('tables.customer.columns.email')![0]).toMatch(/^email \(high\)/);

    expect(discovery.policy.tables.vehicle?.tenantColumn).toBe('customer_id');

    // The evidence is counts and patterns: no sampled value reaches the proposal.
    const { rows } = await sql<{ email: string; phone: string }>`select email, phone from customer where email is not null`.execute(owner);
    const text = renderPolicyFile(discovery.policy, { format: 'ts', comments: discovery.comments }) + JSON.stringify(discovery.findings);
    for (const row of rows) {
      expect(text).not.toContain(row.email);
      expect(text).not.toContain(row.phone);
    }
    expect(Object.keys(discovery.policy.tables)).not.toContain('position_default'); // partitions follow their table
  });

  it('proposes a policy that is well formed and fits the database (so plan can show it)', async () => {
    const owner = kyselyFor(db.url);
    const discovery = await discoverPolicy(owner, { tables: ['customer', 'position'] });
    expect(Object.keys(discovery.policy.tables).sort()).toEqual(['customer', 'position']);
    expect(validatePolicy(discovery.policy).ok).toBe(true);
    const plan = await planPolicy(owner, discovery.policy);
    // Proposed without a tenant (none was named): protected, but not claimed tenant-isolated.
    expect(plan.newlyProtected).toEqual([]);
    expect(plan.everyTenantReads.sort()).toEqual(['public.customer', 'public.position']);
  });
});
