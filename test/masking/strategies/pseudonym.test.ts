import { beforeAll, describe, expect, it } from 'vitest';
import { toPrivacyError } from '../../../src/errors/privacy-error.ts';
import { asRole, createLoginRole, type LoginRole } from '../../support/login-role.ts';
import { useTestDatabase } from '../../support/test-database.ts';
import { column, scalar } from './scalar.ts';

const db = useTestDatabase('base');

const pseudonym = (value: string, params: object = {}) =>
  scalar<string>(db.pool(), `select privacy.mask_pseudonym($1::text, $2::jsonb) as value`, [value, JSON.stringify(params)]);

describe('HMAC-SHA256 built from core sha256', () => {
  // RFC 4231, test cases 1, 2 and 6 (short key, text key, key longer than the block).
  it.each([
    ['0b'.repeat(20), Buffer.from('Hi There').toString('hex'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    [Buffer.from('Jefe').toString('hex'), Buffer.from('what do ya want for nothing?').toString('hex'),
     '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['aa'.repeat(131), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First').toString('hex'),
     '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
  ])('matches RFC 4231 for key %s', async (key, message, expected) => {
    expect(await scalar(db.pool(), `select encode(privacy.hmac_sha256(decode($1, 'hex'), decode($2, 'hex')), 'hex') as value`,
      [key, message])).toBe(expected);
  });
});

describe('pseudonym', () => {
  it('is equal for equal input, different for different input, `length` hex digits long', async () => {
    const a = await pseudonym('anna@example.se');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(await pseudonym('anna@example.se')).toBe(a);
    expect(await pseudonym('anne@example.se')).not.toBe(a);
    expect(await pseudonym('anna@example.se', { length: 40 })).toMatch(new RegExp(`^${a}[0-9a-f]{24}$`));
  });

  it('maps integers to non-negative integers, equal for equal input', async () => {
    const { rows } = await db.pool().query(`
      select privacy.mask_pseudonym(4711::bigint, '{}') as b1, privacy.mask_pseudonym(4711::bigint, '{}') as b2,
             privacy.mask_pseudonym(4711, '{}') as i1, privacy.mask_pseudonym(4712, '{}') as i2`);
    const row = rows[0];
    expect(row.b1).toBe(row.b2);
    expect(BigInt(row.b1)).toBeGreaterThanOrEqual(0n);
    expect(row.i1).toBeGreaterThanOrEqual(0);
    expect(row.i1).not.toBe(row.i2);
  });

  it('changes for every value after the key is rotated, and the rotation is in the ledger without the key', async () => {
    const before = await pseudonym('anna@example.se');
    const keyId = await scalar<string>(db.pool(), `select privacy.rotate_pseudonym_key() as value`);
    expect(await pseudonym('anna@example.se')).not.toBe(before);
    expect(await pseudonym('anna@example.se')).toBe(await pseudonym('anna@example.se'));

    const entry = await db.pool().query(`select action, object, detail from privacy.ledger order by id desc limit 1`);
    expect(entry.rows[0]).toMatchObject({ action: 'pseudonym_key.rotate', object: 'privacy.pseudonym_key',
                                          detail: { key_id: Number(keyId) } });
    const keys = await column<string>(db.pool(), `select encode(key, 'hex') as value from privacy.pseudonym_key`);
    const ledger = JSON.stringify((await db.pool().query(`select * from privacy.ledger`)).rows);
    for (const key of keys) expect(ledger).not.toContain(key);
    expect(await scalar(db.pool(), `select count(*)::int as value from privacy.pseudonym_key where retired_at is null`)).toBe(1);
  });

  it('when anonymizing, writes a random value of the same form that equal inputs do not share', async () => {
    const { rows } = await db.pool().query(`
      select privacy.anonymize_pseudonym('anna'::text, '{"length": 20}') as t, privacy.anonymize_pseudonym(42::bigint, '{}') as b
      from generate_series(1, 2)`);
    expect(rows[0].t).toMatch(/^[0-9a-f]{20}$/);
    expect(rows[0].t).not.toBe(rows[1].t);
    expect(rows[0].b).not.toBe(rows[1].b);
  });
});

describe('the pseudonym key', () => {
  it('cannot be read by a privacy_masked login, which still gets pseudonyms', async () => {
    const expected = await pseudonym('anna@example.se');
    const app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await asRole(app, async (client) => {
      const stolen = await client.query(`select key from privacy.pseudonym_key`).catch((error: unknown) => toPrivacyError(error));
      expect(stolen).toMatchObject({ name: 'AccessDeniedError', code: '42501' });
      expect(await scalar(client, `select privacy.mask_pseudonym('anna@example.se'::text, '{}') as value`)).toBe(expected);
    });
  });

  it('cannot be read by privacy_admin, who may rotate it; privacy_masked may not rotate it', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      await expect(client.query(`select key from privacy.pseudonym_key`)).rejects.toMatchObject({ code: '42501' });
      await expect(client.query(`select privacy.hmac_sha256('k', 'm')`)).rejects.toMatchObject({ code: '42501' });
      await expect(client.query(`select privacy.rotate_pseudonym_key()`)).resolves.toBeDefined();
    });
    const app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await asRole(app, async (client) => {
      await expect(client.query(`select privacy.rotate_pseudonym_key()`)).rejects.toMatchObject({ code: '42501' });
    });
  });

  it('is only reachable through pseudonym_hmac, a definer function granted to the reading roles alone', async () => {
    const { rows } = await db.pool().query(`
      select grantee::regrole::text as role from aclexplode((select proacl from pg_proc where oid = 'privacy.pseudonym_hmac(text)'::regprocedure))
      where privilege_type = 'EXECUTE' and grantee <> (select proowner from pg_proc where oid = 'privacy.pseudonym_hmac(text)'::regprocedure)
      order by 1`);
    expect(rows.map((r) => r.role)).toEqual(['privacy_masked', 'privacy_sweeper', 'privacy_unmasked', 'privacy_view_owner']);
    const holders = await column<string>(db.pool(), `
      select distinct a.grantee::regrole::text as value
      from pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
      where c.oid = 'privacy.pseudonym_key'::regclass and a.grantee <> c.relowner`);
    expect(holders).toEqual([]);
  });
});

/** Values for the edges of the HMAC's input: bytes that text_bytes escapes, multibyte characters, long ones. */
const VALUES: (string | null)[] = [
  null, '', 'a', 'anna@example.se', 'back\\slash', '\\\\', "it's", 'é', '日本語', '🙂🙂', 'x'.repeat(200), 'ñ'.repeat(70), '%s %L',
];

describe('pseudonym in a masked view: the HMAC inlined, its pads read once per statement', () => {
  let reader: LoginRole;
  const expected = `
    select id, privacy.mask_pseudonym(name, '{"length": 16}') as name,
           privacy.mask_pseudonym(code::text, '{"length": 40}')::varchar as code,
           privacy.mask_pseudonym(c, '{"length": 64}') as c,
           privacy.mask_pseudonym(big, '{}') as big, privacy.mask_pseudonym(small, '{}') as small
    from public.p order by id`;
  const masked = async () => asRole(reader, async (client) => (await client.query(`select * from masked.p order by id`)).rows);

  beforeAll(async () => {
    await db.pool().query(`
      create table public.p (id int primary key, name text, code varchar(300), c text collate "C", big bigint, small integer)`);
    await db.pool().query(`
      insert into public.p select i, v, v, v, (i - 5) * 4611686018427387, (i - 5) * 214748364
      from unnest($1::text[]) with ordinality as u(v, i)`, [VALUES]);
    await db.pool().query(`
      select privacy.classify_column('p', 'id', 'not_personal');
      select privacy.classify_column('p', 'name', 'identifier', mask => 'pseudonym');
      select privacy.classify_column('p', 'code', 'identifier', mask => 'pseudonym', mask_params => '{"length": 40}');
      select privacy.classify_column('p', 'c', 'identifier', mask => 'pseudonym', mask_params => '{"length": 64}');
      select privacy.classify_column('p', 'big', 'identifier', mask => 'pseudonym');
      select privacy.classify_column('p', 'small', 'identifier', mask => 'pseudonym');
      select privacy.protect_table('p');`);
    reader = await createLoginRole(db, { memberOf: ['privacy_masked'] });
  });

  it('gives a privacy_masked login what the general function gives, value for value and type for type', async () => {
    const rows = await masked();
    expect(rows).toHaveLength(VALUES.length);
    expect(rows).toEqual((await db.pool().query(expected)).rows);
    expect(rows.filter((r) => r.name !== null)).toHaveLength(VALUES.length - 1);
  });

  it('gives the same pseudonym back to a write through the view (its trigger returns the masked row)', async () => {
    const returned = await asRole(reader, async (client) =>
      (await client.query(`insert into masked.p (id, name, big) values (1000, 'new@example.se', 42) returning name, big`)).rows[0]);
    const { rows: [general] } = await db.pool().query(
      `select privacy.mask_pseudonym('new@example.se'::text, '{}') as name, privacy.mask_pseudonym(42::bigint, '{}') as big`);
    expect(returned).toEqual(general);
    await db.pool().query(`delete from public.p where id = 1000`);
  });

  it('keeps the collation of the column, as the general call does', async () => {
    const collations = await column<string>(db.pool(), `
      select attname || ' ' || coalesce(attcollation::regcollation::text, '-') as value
      from pg_attribute where attrelid = 'masked.p'::regclass and attnum > 0 order by attnum`);
    expect(collations).toEqual(['id -', 'name "default"', 'code "default"', 'c "C"', 'big -', 'small -']);
  });

  it('is inlined into the reader\'s plan: no function call per row, the pads an InitPlan of the statement', async () => {
    const plan = await asRole(reader, async (client) =>
      (await client.query(`explain (verbose, costs off) select * from masked.p`)).rows.map((r) => r['QUERY PLAN']).join('\n'));
    expect(plan).not.toMatch(/pseudonym_hmac|pseudonym_digest|mask_pseudonym|jsonb/);
    expect(plan).toContain('sha256(');
    // Two pads for each of the five columns, each read once per statement (PostgreSQL 18 no
    // longer writes `(returns $n)`); the one SubPlan is the policy's restricted rows.
    expect(plan.match(/InitPlan \d+(?: \(returns \$\d+\))?\n\s+->  [^\n]* on privacy\.pseudonym_key /g)).toHaveLength(10);
    expect(plan.match(/SubPlan \d+\n\s+->  [^\n]*/g)).toEqual([expect.stringContaining('on privacy.hidden_row')]);
  });

  it('follows a rotation from the next statement on, and gives NULL when no key is current, as the general function does', async () => {
    const before = await masked();
    await db.pool().query(`select privacy.rotate_pseudonym_key()`);
    const after = await masked();
    expect(after[3].name).not.toBe(before[3].name);
    expect(after).toEqual((await db.pool().query(expected)).rows);

    await db.pool().query(`update privacy.pseudonym_key set retired_at = now() where retired_at is null`);
    const none = await masked();
    expect(none.map((r) => [r.name, r.code, r.c, r.big, r.small])).toEqual(VALUES.map(() => [null, null, null, null, null]));
    expect(none).toEqual((await db.pool().query(expected)).rows);
    await db.pool().query(`select privacy.rotate_pseudonym_key()`);
  });
});
