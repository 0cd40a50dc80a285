import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.ts';
import { column, scalar } from './scalar.ts';

const db = useTestDatabase('base');

const mask = (fn: string, value: string | null, params: object) =>
  scalar<string | null>(db.pool(), `select privacy.${fn}($1::text, $2::jsonb) as value`, [value, JSON.stringify(params)]);

describe('partial', () => {
  it.each([
    [{ keep_first: 1 }, 'Johansson', 'J********'],
    [{ keep_first: 2, keep_last: 3 }, 'Johansson', 'Jo****son'],
    [{ keep_first: 0, keep_last: 4 }, '35-209900-176148-1', '**************48-1'],
    [{ keep_first: 1, fill: '#' }, 'Åsa', 'Å##'],
  ])('%j keeps exactly those characters of %s', async (params, value, expected) => {
    const masked = await mask('mask_partial', value, params);
    expect(masked).toBe(expected);
    const { keep_first: first = 1, keep_last: last = 0 } = params as { keep_first?: number; keep_last?: number };
    expect(masked!.slice(0, first)).toBe(value.slice(0, first));
    if (last > 0) expect(masked!.slice(-last)).toBe(value.slice(-last));
  });

  it('shows nothing of a value no longer than what it would keep', async () => {
    expect(await mask('mask_partial', 'Al', { keep_first: 1, keep_last: 1 })).toBe('**');
    expect(await mask('mask_partial', 'A', {})).toBe('*');
  });

  it('keeps NULL as NULL', async () => {
    expect(await mask('mask_partial', null, {})).toBeNull();
  });
});

describe('email', () => {
  it('keeps the domain and hides the local part', async () => {
    expect(await mask('mask_email', 'anna.berg@kund.example.se', {})).toBe('***@kund.example.se');
    expect(await mask('mask_email', 'odd"@"name@example.com', {})).toBe('***@example.com');
  });

  it('hides the domain too when keep_domain is false, and text that is no address', async () => {
    expect(await mask('mask_email', 'anna.berg@example.se', { keep_domain: false })).toBe('***');
    expect(await mask('mask_email', 'no address', {})).toBe('***');
  });
});

describe('phone', () => {
  it.each([
    ['070-123 45 67', {}, '***-*** ** 67'],
    ['+46 70 123 45 67', { keep_last: 4 }, '+** ** *** 45 67'],
    ['0701234567', { keep_last: 0 }, '**********'],
  ])('%s with %j keeps the last digits and the separators', async (value, params, expected) => {
    expect(await mask('mask_phone', value, params)).toBe(expected);
  });
});

describe('redact', () => {
  it('replaces every value by the same text, NULL by NULL', async () => {
    expect(await mask('mask_redact', 'Anna', {})).toBe('***');
    expect(await mask('mask_redact', 'Anna', { replacement: '[hidden]' })).toBe('[hidden]');
    expect(await mask('mask_redact', null, {})).toBeNull();
  });
});

describe('hash', () => {
  it('gives the digest of the text in hex, with the chosen algorithm', async () => {
    const values = await column<string>(db.pool(), `
      select privacy.mask_hash('Åsa Öberg', a) = encode(e, 'hex') as value
      from (values ('{}'::jsonb, sha256(convert_to('Åsa Öberg', 'UTF8'))),
                   ('{"algorithm": "sha512"}', sha512(convert_to('Åsa Öberg', 'UTF8'))),
                   ('{"algorithm": "md5"}', decode(md5('Åsa Öberg'), 'hex'))) as t(a, e)`);
    expect(values).toEqual([true, true, true]);
  });

  it('hashes text with backslashes exactly (no escape processing)', async () => {
    expect(await mask('mask_hash', 'C:\\temp\\x41', {})).toBe(
      await scalar(db.pool(), `select encode(sha256(convert_to($1, 'UTF8')), 'hex') as value`, ['C:\\temp\\x41']));
  });

  it('when anonymizing, writes random hex of the digest length that equal values do not share', async () => {
    const [first, second] = await column<string>(db.pool(),
      `select privacy.anonymize_hash('anna@example.se', '{"algorithm": "md5"}') as value from generate_series(1, 2)`);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(first).not.toBe(second);
  });
});
