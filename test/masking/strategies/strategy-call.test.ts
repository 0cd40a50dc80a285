import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidDeclarationError, toPrivacyError } from '../../../src/errors/privacy-error.ts';
import { asRole, createLoginRole } from '../../support/login-role.ts';
import { useTestDatabase } from '../../support/test-database.ts';
import { column, scalar } from './scalar.ts';

const db = useTestDatabase('base');

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return toPrivacyError(error);
  }
  throw new Error('expected an error');
}

const call = (strategy: string, params: object, valueSql: string, type: string, purpose = 'mask') =>
  scalar<string>(db.pool(), `select privacy.strategy_call($1, $2::jsonb, $3, $4::regtype, $5) as value`,
    [strategy, JSON.stringify(params), valueSql, type, purpose]);

beforeAll(async () => {
  await db.pool().query(`
    create domain public.email_address as text check (value ~ '^[^@]+@[^@]+$');
    create table public.person (
      id bigint primary key, name varchar(40), code char(6), email public.email_address, born date, seen timestamptz,
      score real, lat double precision, note text, ip inet);
    insert into public.person values
      (1, 'Johansson', 'AB1234', 'anna@example.se', '1987-06-15', '2024-05-17 13:47:12+00', 3.14159, 59.33258, 'ring 070-123 45 67', '192.0.2.201');`);
});

describe('strategy_call writes the expression a generator puts in its SQL', () => {
  it('calls the function of the column type with the registry defaults and the declared parameters as one literal', async () => {
    // keep_first 0 and keep_last 0: a parameter set sql/181 leaves to the general function.
    expect(await call('partial', { keep_first: 0 }, 'p."note"', 'text'))
      .toBe(`privacy.mask_partial(p."note", '{"fill": "*", "keep_last": 0, "keep_first": 0}'::pg_catalog.jsonb)`);
  });

  it('casts character types to text and back, and masks a domain as its base type', async () => {
    expect(await call('partial', { keep_first: 0 }, 'p."name"', 'character varying'))
      .toBe(`(privacy.mask_partial((p."name")::pg_catalog.text, '{"fill": "*", "keep_last": 0, "keep_first": 0}'::pg_catalog.jsonb))::pg_catalog."varchar"`);
    expect(await call('email', { keep_domain: false }, 'p.email', 'public.email_address'))
      .toBe(`privacy.mask_email((p.email)::pg_catalog.text, '{"keep_domain": false}'::pg_catalog.jsonb)`);
    expect(await call('round', { digits: 1 }, 'p.score', 'real'))
      .toBe(`privacy.mask_round(p.score, '{"digits": 1}'::pg_catalog.jsonb)`);
  });

  it('writes NULL of the type for the null strategy', async () => {
    expect(await call('null', {}, 'p.born', 'date')).toBe('NULL::pg_catalog.date');
    expect(await call('null', {}, 'p.email', 'public.email_address')).toBe('NULL::pg_catalog.text');
  });

  it('gives expressions that run and keep the column type', async () => {
    const columns: [string, string, object][] = [
      ['name', 'partial', { keep_first: 1 }], ['code', 'partial', { keep_first: 2 }], ['email', 'email', {}],
      ['born', 'generalize', { unit: 'decade' }], ['seen', 'time', { unit: 'day' }], ['score', 'round', { digits: 1 }],
      ['lat', 'grid', { axis: 'lat' }], ['note', 'fake', { kind: 'city' }], ['id', 'pseudonym', {}],
    ];
    const expressions: string[] = [];
    for (const [name, strategy, params] of columns) {
      const type = await scalar<string>(db.pool(), `select atttypid::regtype::text as value from pg_attribute
                                                    where attrelid = 'public.person'::regclass and attname = $1`, [name]);
      expressions.push(`(${await call(strategy, params, `p.${name}`, type)}) as ${name}`);
    }
    const { rows, fields } = await db.pool().query(`select ${expressions.join(', ')} from public.person p`);
    expect(rows[0]).toMatchObject({ name: 'J********', code: 'AB****', email: '***@example.se', lat: expect.any(Number),
                                    score: 3.1, id: expect.any(String) });
    expect(rows[0].born.getFullYear()).toBe(1980);
    const types = await column<string>(db.pool(), `select format_type(oid, null) as value from pg_type where oid = any($1::oid[]) `,
      [fields.map((f) => f.dataTypeID)]);
    expect(types).toEqual(expect.arrayContaining(['character varying', 'character', 'text', 'date', 'real', 'bigint']));
  });

  it('for anonymization, never uses a keyed pseudonym or an unkeyed hash', async () => {
    expect(await call('pseudonym', {}, 'p.note', 'text', 'anonymize')).toMatch(/^privacy\.anonymize_pseudonym\(/);
    expect(await call('pseudonym', {}, 'p.id', 'bigint', 'anonymize')).toMatch(/^privacy\.anonymize_pseudonym\(/);
    expect(await call('hash', {}, 'p.note', 'text', 'anonymize')).toMatch(/^privacy\.anonymize_hash\(/);
    expect(await call('fake', { kind: 'city' }, 'p.note', 'text', 'anonymize')).toMatch(/^privacy\.mask_fake\(/);
  });

  it('agrees with what the functions do when called with no parameters (registry defaults = function defaults)', async () => {
    const samples: [string, string, string, object][] = [
      ['redact', `'Anna'`, 'text', {}], ['partial', `'Johansson'`, 'text', {}], ['email', `'a@b.se'`, 'text', {}],
      ['phone', `'070-123 45 67'`, 'text', {}], ['hash', `'Anna'`, 'text', {}], ['pseudonym', `'Anna'`, 'text', {}],
      ['round', `2.71828::numeric`, 'numeric', {}], ['fake', `'Anna'`, 'text', { kind: 'full_name' }],
      ['grid', `59.33::double precision`, 'double precision', {}], ['time', `'2024-05-17 13:47+00'::timestamptz`, 'timestamptz', {}],
      ['generalize', `'2024-05-17 13:47+00'::timestamptz`, 'timestamptz', { unit: 'month' }],
    ];
    for (const [strategy, value, type, params] of samples) {
      const generated = await call(strategy, params, value, type);
      const direct = `privacy.mask_${strategy}(${value}, '${JSON.stringify(params)}')`;
      const { rows } = await db.pool().query(`select (${generated})::text as generated, (${direct})::text as direct`);
      expect({ strategy, value: rows[0].generated }).toEqual({ strategy, value: rows[0].direct });
    }
  });
});

describe('unsupported combinations are refused', () => {
  it.each([
    ['partial', 'bigint', {}], ['round', 'text', {}], ['time', 'date', {}], ['fake', 'integer', { kind: 'city' }],
    ['grid', 'numeric', {}], ['generalize', 'smallint', { step: 10 }],
  ])('strategy_call(%s on %s) raises PV101 naming the strategy and the type', async (strategy, type, params) => {
    const error = await failureOf(call(strategy, params, 'x', type));
    expect(error).toBeInstanceOf(InvalidDeclarationError);
    expect(error).toMatchObject({ code: 'PV101' });
    expect((error as Error).message).toContain(`strategy ${strategy} has no function for type ${type}`);
    expect((error as { hint?: string }).hint).toMatch(/takes: /);
  });

  it('classify_column refuses them at declaration, naming the column, and records nothing', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      const error = await failureOf(client.query(`select privacy.classify_column('person', 'id', 'identifier', mask => 'partial')`));
      expect(error).toBeInstanceOf(InvalidDeclarationError);
      expect(error).toMatchObject({ code: 'PV101', object: 'public.person.id' });
      expect((error as Error).message).toBe('public.person.id: mask strategy partial has no function for type bigint');
      const anonymize = await failureOf(client.query(
        `select privacy.classify_column('person', 'note', 'free_text', anonymize => 'round')`));
      expect(anonymize).toMatchObject({ code: 'PV101', object: 'public.person.note' });
      expect(await scalar(client, `select count(*)::int as value from privacy.column_rule where table_name = 'person'`)).toBe(0);
    });
  });

  it.each([
    ['generalize on a date without a unit', `select privacy.classify_column('person', 'born', 'identifier', mask => 'generalize')`],
    ['generalize on a number with a unit', `select privacy.classify_column('person', 'score', 'personal', mask => 'generalize', mask_params => '{"unit": "year", "step": 1}')`],
    ['generalize on a number with a step of 0', `select privacy.classify_column('person', 'score', 'personal', mask => 'generalize', mask_params => '{"step": 0}')`],
    ['noise on a number with an interval', `select privacy.classify_column('person', 'lat', 'location', anonymize => 'noise', anonymize_params => '{"interval": "1 day"}')`],
    ['noise on a number with both bounds', `select privacy.classify_column('person', 'lat', 'location', anonymize => 'noise', anonymize_params => '{"ratio": 0.1, "absolute": 1}')`],
    ['noise on a date with no interval', `select privacy.classify_column('person', 'born', 'identifier', anonymize => 'noise')`],
    ['noise on a date with a bad interval', `select privacy.classify_column('person', 'born', 'identifier', anonymize => 'noise', anonymize_params => '{"interval": "a while"}')`],
    ['time in an unknown zone', `select privacy.classify_column('person', 'seen', 'technical', mask => 'time', mask_params => '{"time_zone": "Mars/Olympus"}')`],
  ])('parameters that do not fit the type (%s): PV004 naming the column', async (_what, sql) => {
    const error = await failureOf(db.pool().query(sql));
    expect(error).toMatchObject({ code: 'PV004' });
    expect((error as { object?: string }).object).toMatch(/^public\.person\./);
  });

  it('an unknown purpose is refused (PV011)', async () => {
    await expect(call('partial', {}, 'x', 'text', 'write')).rejects.toMatchObject({ code: 'PV011' });
    await expect(call('partial', {}, 'x', 'text', 'show')).rejects.toMatchObject({ code: 'PV011' });
  });
});

describe('custom strategies', () => {
  beforeAll(async () => {
    await db.pool().query(`
      create schema "Acme";
      create function "Acme"."mask VIN"(value text, params jsonb) returns text
        language sql immutable parallel safe
        as $$ select pg_catalog.left(value, coalesce((params ->> 'keep')::int, 3)) || '**************' $$;
      create function "Acme"."mask VIN"(value bigint, params jsonb) returns bigint language sql immutable as $$ select 0::bigint $$;
      create function "Acme".not_a_mask(value text, params jsonb) returns integer language sql as $$ select 1 $$;
      grant usage on schema "Acme" to privacy_masked;
      grant execute on all functions in schema "Acme" to privacy_masked;`);
  });

  it('a privacy_admin login registers one, and strategy_call calls its function by its quoted name', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      await client.query(`select privacy.register_strategy('vin', '"Acme"."mask VIN"', 'both',
                            '{"keep": {"type": "integer", "minimum": 0, "maximum": 17, "default": 3}}', 'Keeps the maker code of a VIN.')`);
      expect(await scalar(client, `select privacy.strategy_call('vin', '{"keep": 4}', 'v.vin', 'varchar', 'mask') as value`))
        .toBe(`("Acme"."mask VIN"((v.vin)::pg_catalog.text, '{"keep": 4}'::pg_catalog.jsonb))::pg_catalog."varchar"`);
      const ledger = await client.query(`select action, object from privacy.ledger where actor = $1`, [admin.name]);
      expect(ledger.rows).toEqual([{ action: 'strategy.insert', object: 'vin' }]);
      await expect(client.query(`select privacy.check_strategy('vin', 'mask', '{"keep": 40}', 'x')`)).rejects.toMatchObject({ code: 'PV004' });
    });
    expect(await scalar(db.pool(), `select ${await call('vin', {}, `'YV1LW5547T2123456'`, 'text')} as value`)).toBe('YV1**************');
    const error = await failureOf(call('vin', {}, 'x', 'date'));
    expect(error).toMatchObject({ code: 'PV101' });
    expect((error as { hint?: string }).hint).toBe('Strategy vin takes: bigint, text.');
  });

  it('is refused to a privacy_masked login', async () => {
    const app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await asRole(app, async (client) => {
      const error = await failureOf(client.query(`select privacy.register_strategy('vin2', '"Acme"."mask VIN"', 'mask', '{}', 'x')`));
      expect(error).toMatchObject({ name: 'AccessDeniedError', code: '42501' });
    });
    expect(await scalar(db.pool(), `select count(*)::int as value from privacy.strategy where name = 'vin2'`)).toBe(0);
  });

  it.each([
    ['SQL in the function name', 'public.f(); drop table public.person; --', 'PV008'],
    ['a name without its schema', 'mask_vin', 'PV008'],
    ['a function that does not exist', '"Acme".nothing', 'PV102'],
    ['a function whose result type is not its value type', '"Acme".not_a_mask', 'PV102'],
  ])('refuses %s', async (_what, functionName, sqlstate) => {
    const error = await failureOf(db.pool().query(`select privacy.register_strategy('odd', $1, 'mask', '{}', 'x')`, [functionName]));
    expect(error).toMatchObject({ code: sqlstate });
    expect(await scalar(db.pool(), `select count(*)::int as value from public.person`)).toBe(1);
  });

  it('refuses to replace a built-in strategy, and bad specs or purposes', async () => {
    await expect(db.pool().query(`select privacy.register_strategy('partial', '"Acme"."mask VIN"', 'mask', '{}', 'x')`))
      .rejects.toMatchObject({ code: 'PV013' });
    await expect(db.pool().query(`select privacy.register_strategy('vin3', '"Acme"."mask VIN"', 'read', '{}', 'x')`))
      .rejects.toMatchObject({ code: 'PV011' });
    await expect(db.pool().query(`select privacy.register_strategy('vin3', '"Acme"."mask VIN"', 'mask', '{"keep": {"type": "date"}}', 'x')`))
      .rejects.toMatchObject({ code: 'PV004' });
    await expect(db.pool().query(`select privacy.register_strategy('Vin', '"Acme"."mask VIN"', 'mask', '{}', 'x')`))
      .rejects.toMatchObject({ code: 'PV008' });
  });

  it('can be a write rule, used through write_rule_call', async () => {
    await db.pool().query(`select privacy.register_strategy('vin_on_write', '"Acme"."mask VIN"', 'write', '{}', 'Stores the maker code only.')`);
    expect(await scalar(db.pool(), `select privacy.write_rule_call('vin_on_write', '{}', 'new.vin', 'text') as value`))
      .toBe(`"Acme"."mask VIN"(new.vin, '{}'::pg_catalog.jsonb)`);
    await expect(call('vin_on_write', {}, 'x', 'text')).rejects.toMatchObject({ code: 'PV003' });
  });
});
