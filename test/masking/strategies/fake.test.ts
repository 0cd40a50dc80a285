import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.ts';
import { column, scalar } from './scalar.ts';

const db = useTestDatabase('base');

const KINDS = ['first_name', 'last_name', 'full_name', 'company', 'street', 'city', 'email', 'phone'] as const;

const fakes = (kind: string, locale: string, count: number) =>
  column<string>(db.pool(),
    `select privacy.mask_fake('customer-' || i, jsonb_build_object('kind', $1::text, 'locale', $2::text)) as value
     from generate_series(1, $3::int) as i order by i`, [kind, locale, count]);

describe('fake', () => {
  it.each(KINDS.flatMap((kind) => [[kind, 'sv'], [kind, 'en']]))('%s (%s) is the same for equal inputs and varies across inputs', async (kind, locale) => {
    const first = await fakes(kind, locale, 200);
    expect(await fakes(kind, locale, 200)).toEqual(first);
    expect(first.every((value) => typeof value === 'string' && value.length > 0)).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(30);
  });

  it('draws from the Swedish and the English lists', async () => {
    const words = async (locale: string, kind: string) =>
      new Set(await column<string>(db.pool(), `select word as value from privacy.fake_word where locale = $1 and kind = $2`, [locale, kind]));
    for (const kind of ['first_name', 'last_name', 'company', 'city'] as const) {
      const sv = await words('sv', kind);
      const en = await words('en', kind);
      expect(sv.size).toBeGreaterThanOrEqual(50);
      expect(en.size).toBeGreaterThanOrEqual(50);
      for (const value of await fakes(kind, 'sv', 50)) expect(sv).toContain(value);
      for (const value of await fakes(kind, 'en', 50)) expect(en).toContain(value);
    }
    expect(await scalar(db.pool(), `select privacy.mask_fake('x', '{"kind": "company"}') as value`))
      .toBe(await scalar(db.pool(), `select privacy.mask_fake('x', '{"kind": "company", "locale": "sv"}') as value`));
  });

  it('builds addresses on reserved domains and phone numbers in the ranges kept for fiction', async () => {
    for (const email of [...await fakes('email', 'sv', 100), ...await fakes('email', 'en', 100)]) {
      expect(email).toMatch(/^[a-z]+\.[a-z]+@example\.(com|net|org)$/);
    }
    for (const phone of await fakes('phone', 'sv', 100)) {
      expect(phone).toMatch(/^070-174 06 \d\d$/);
      expect(Number(phone.slice(-2))).toBeGreaterThanOrEqual(5);
    }
    for (const phone of await fakes('phone', 'en', 100)) expect(phone).toMatch(/^07700 900\d{3}$/);
    expect(await fakes('street', 'sv', 20)).toSatisfy((streets: string[]) => streets.every((s) => /^\D+ \d{1,2}$/.test(s)));
    expect(await fakes('street', 'en', 20)).toSatisfy((streets: string[]) => streets.every((s) => /^\d{1,2} \D+$/.test(s)));
  });

  it('agrees with itself across kinds: the full name is the first name and the last name', async () => {
    const { rows } = await db.pool().query(`
      select privacy.mask_fake(v, '{"kind": "first_name"}') || ' ' || privacy.mask_fake(v, '{"kind": "last_name"}') as parts,
             privacy.mask_fake(v, '{"kind": "full_name"}') as whole
      from (values ('Anna Svensson'), ('Per Nilsson')) as t(v)`);
    for (const row of rows) expect(row.whole).toBe(row.parts);
  });

  it('keeps NULL as NULL', async () => {
    expect(await scalar(db.pool(), `select privacy.mask_fake(null, '{"kind": "city"}') as value`)).toBeNull();
  });
});

describe('the compiled word lists', () => {
  it('follow the table: an edited list is what fake picks from right away', async () => {
    const client = await db.pool().connect();
    try {
      await client.query('begin');
      await client.query(`delete from privacy.fake_word where locale = 'en' and kind = 'city'`);
      await client.query(`insert into privacy.fake_word values ('en', 'city', 1, 'Gotham'), ('en', 'city', 2, 'O''Hara''s Crossing')`);
      const cities = await column<string>(client,
        `select distinct privacy.mask_fake('person ' || i, '{"kind": "city", "locale": "en"}') as value from generate_series(1, 50) i order by 1`);
      expect(cities).toEqual(['Gotham', "O'Hara's Crossing"]);
      await client.query('rollback');
    } finally {
      client.release();
    }
    const restored = await scalar<number>(db.pool(), `select cardinality(privacy.fake_word_list('en', 'city')) as value`);
    expect(restored).toBe(50);
  });
});

describe('digest parts', () => {
  it('are the unsigned numbers of eight hex digits of the digest, as hex_to_bigint reads them', async () => {
    const differences = await db.pool().query(`
      select d, p from (select md5(g::text) as d from generate_series(1, 20000) g
                        union all select 'ffffffff' || repeat('0', 24) union all select repeat('0', 32)) ds,
                       generate_series(0, 3) p
      where privacy.digest_part(d, p) is distinct from privacy.hex_to_bigint(substr(d, p * 8 + 1, 8))`);
    expect(differences.rows).toEqual([]);
  });
});
