import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.ts';
import { scalar } from './scalar.ts';

const db = useTestDatabase('base');

const scrub = (text: string | null, params: object = {}) =>
  scalar<string | null>(db.pool(), `select privacy.minimise_scrub_text($1, $2::jsonb) as value`, [text, JSON.stringify(params)]);

describe('scrub_text', () => {
  // 19121212-1212 is Skatteverket's published test number (Tolvan Tolvansson): valid check digit.
  it.each([
    ['pnr 19121212-1212 i ärendet', 'pnr [personnummer] i ärendet'],
    ['pnr 121212-1212.', 'pnr [personnummer].'],
    ['pnr 191212121212', 'pnr [personnummer]'],
    ['hundraåring 121212+1212', 'hundraåring [personnummer]'],
    ['samordningsnummer 701063-2391', 'samordningsnummer [personnummer]'],
  ])('removes a personnummer with a valid check digit: %s', async (text, expected) => {
    expect(await scrub(text)).toBe(expected);
  });

  it('removes a personnummer written with its separator whatever its check digit (people mistype)', async () => {
    expect(await scrub('fel nummer 19121212-1213')).toBe('fel nummer [personnummer]');
    expect(await scrub('fel nummer 121212-1213')).toBe('fel nummer [personnummer]');
  });

  it.each([
    ['a wrong check digit without a separator', 'fel nummer 191212121213'],
    ['a plain order number', 'order 1234567890 skickad'],
    ['an order number with a date-like start but a wrong check digit', 'order 2405011234'],
    ['a number of 11 digits', 'konto 12345678901'],
    ['a date and a time', 'möte 2024-05-01 10:30'],
    ['amounts', 'summa 1 250 kr, 12 st'],
  ])('keeps %s', async (_what, text) => {
    expect(await scrub(text)).toBe(text);
  });

  it('removes e-mail addresses and phone numbers, national and international', async () => {
    expect(await scrub('Mejla anna.berg+kvitto@mail.example.se eller ring 070-123 45 67, 08-123 456 78 eller +46 70 123 45 67.'))
      .toBe('Mejla [email] eller ring [phone], [phone] eller [phone].');
    expect(await scrub('tel 0701234567')).toBe('tel [phone]');
  });

  it('takes out only what its parameters choose', async () => {
    const text = 'anna@example.se 070-123 45 67 19121212-1212';
    expect(await scrub(text, { email: false })).toBe('anna@example.se [phone] [personnummer]');
    expect(await scrub(text, { phone: false })).toBe('[email] 070-123 45 67 [personnummer]');
    expect(await scrub(text, { personnummer: false, phone: false })).toBe('[email] 070-123 45 67 19121212-1212');
  });

  it('keeps NULL and empty text as they are', async () => {
    expect(await scrub(null)).toBeNull();
    expect(await scrub('')).toBe('');
  });
});

describe('truncate_ip', () => {
  it.each([
    ['192.0.2.201', {}, '192.0.2.0/24'],
    ['192.0.2.201', { ipv4_prefix: 16 }, '192.0.0.0/16'],
    ['2001:db8:1234:5678::1', {}, '2001:db8:1234::/48'],
    ['2001:db8:1234:5678::1', { ipv6_prefix: 32 }, '2001:db8::/32'],
    ['10.0.0.0/8', {}, '10.0.0.0/8'],
  ])('%s with %j keeps the network %s', async (ip, params, expected) => {
    expect(await scalar(db.pool(), `select privacy.minimise_truncate_ip($1::inet, $2::jsonb)::text as value`, [ip, JSON.stringify(params)]))
      .toBe(expected);
  });
});

describe('cap_precision and pseudonymise', () => {
  it('rounds to the given decimals (4 by default)', async () => {
    expect(await scalar(db.pool(), `select privacy.minimise_cap_precision(59.332587123::double precision, '{}') as value`)).toBe(59.3326);
    expect(await scalar(db.pool(), `select privacy.minimise_cap_precision(59.332587123::numeric, '{"digits": 2}')::text as value`)).toBe('59.33');
  });

  it('stores the keyed pseudonym, the same as the pseudonym mask', async () => {
    const { rows } = await db.pool().query(`
      select privacy.minimise_pseudonymise('IMEI 356938035643809', '{"length": 12}') as stored,
             privacy.mask_pseudonym('IMEI 356938035643809'::text, '{"length": 12}') as masked`);
    expect(rows[0].stored).toMatch(/^[0-9a-f]{12}$/);
    expect(rows[0].stored).toBe(rows[0].masked);
  });
});

describe('write rules in the strategy registry', () => {
  it('are validated like masks and usable only for writes', async () => {
    await expect(db.pool().query(`select privacy.check_strategy('truncate_ip', 'write', '{"ipv4_prefix": 40}', 'x')`))
      .rejects.toMatchObject({ code: 'PV004' });
    await expect(db.pool().query(`select privacy.check_strategy('scrub_text', 'mask', '{}', 'x')`))
      .rejects.toMatchObject({ code: 'PV003' });
    await expect(db.pool().query(`select privacy.check_strategy('partial', 'write', '{}', 'x')`))
      .rejects.toMatchObject({ code: 'PV003' });
  });

  it('a mistyped or misused strategy is answered with the strategies for that purpose only (no write rule offered as a mask)', async () => {
    const hint = async (sql: string) => {
      const error = await db.pool().query(sql).then(() => null, (e: { code: string; hint: string }) => e);
      expect(error, sql).toMatchObject({ code: 'PV003' });
      return error!.hint;
    };
    const mask = await hint(`select privacy.check_strategy('parital', 'mask', '{}', 'x')`);
    expect(mask).toMatch(/^Strategies to mask: .*\bpartial\b/);
    for (const writeOnly of ['scrub_text', 'truncate_ip', 'cap_precision']) expect(mask).not.toContain(writeOnly);
    expect(await hint(`select privacy.check_strategy('scrub_text', 'mask', '{}', 'x')`)).toBe(mask);
    const write = await hint(`select privacy.check_strategy('scrub', 'write', '{}', 'x')`);
    expect(write).toBe('Strategies to write: cap_precision, pseudonymise, scrub_text, truncate_ip');
    expect(await hint(`select privacy.check_strategy('fake_imeii', 'anonymize', '{}', 'x')`)).toMatch(/\bfake_imei\b/);
  });

  it('write_rule_call writes the call for the column type, casting where needed, and refuses other types', async () => {
    expect(await scalar(db.pool(), `select privacy.write_rule_call('scrub_text', '{"phone": false}', 'new."note"', 'varchar') as value`))
      .toBe(`(privacy.minimise_scrub_text((new."note")::pg_catalog.text, '{"email": true, "phone": false, "personnummer": true}'::pg_catalog.jsonb))::pg_catalog."varchar"`);
    expect(await scalar(db.pool(), `select privacy.write_rule_call('truncate_ip', '{}', 'new.ip', 'cidr') as value`))
      .toBe(`(privacy.minimise_truncate_ip((new.ip)::pg_catalog.inet, '{"ipv4_prefix": 24, "ipv6_prefix": 48}'::pg_catalog.jsonb))::pg_catalog.cidr`);
    await expect(db.pool().query(`select privacy.write_rule_call('truncate_ip', '{}', 'new.ip', 'text')`))
      .rejects.toMatchObject({ code: 'PV101' });
  });
});
