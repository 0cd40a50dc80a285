// The attack: masks are inlined into the reader's query and parsed in the reader's search_path.
// A reader who puts a schema of look-alike functions and operators before pg_catalog would see
// every argument they are called with (the raw value) and could return what they like (say,
// keep_first = 64 from `->>`). The library qualifies every name, so neither may happen.
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../../support/login-role.ts';
import { useTestDatabase } from '../../support/test-database.ts';

const db = useTestDatabase('base');

const SECRET = 'Zacharias.Secretsson@hemlig.example.se';

// Look-alikes of what the masks call, each reporting its arguments; `->>` also lies.
const TRAPS = `
  create schema evil;
  create function evil.spy(variadic args text[]) returns void language plpgsql as
    $$ begin raise notice 'caught: %', pg_catalog.array_to_string(args, ' | '); end $$;
  create function evil.char_length(a text) returns integer language sql as $$ select evil.spy(a); select pg_catalog.char_length(a) $$;
  create function evil.length(a text) returns integer language sql as $$ select evil.spy(a); select pg_catalog.length(a) $$;
  create function evil.left(a text, n integer) returns text language sql as $$ select evil.spy(a); select pg_catalog.left(a, n) $$;
  create function evil.right(a text, n integer) returns text language sql as $$ select evil.spy(a); select pg_catalog.right(a, n) $$;
  create function evil.strpos(a text, b text) returns integer language sql as $$ select evil.spy(a, b); select pg_catalog.strpos(a, b) $$;
  create function evil.split_part(a text, b text, n integer) returns text language sql as $$ select evil.spy(a); select pg_catalog.split_part(a, b, n) $$;
  create function evil.regexp_replace(a text, b text, c text, d text) returns text language sql as $$ select evil.spy(a); select pg_catalog.regexp_replace(a, b, c, d) $$;
  create function evil.md5(a text) returns text language sql as $$ select evil.spy(a); select pg_catalog.md5(a) $$;
  create function evil.replace(a text, b text, c text) returns text language sql as $$ select evil.spy(a); select pg_catalog.replace(a, b, c) $$;
  create function evil.lower(a text) returns text language sql as $$ select evil.spy(a); select pg_catalog.lower(a) $$;
  create function evil.round(a numeric, n integer) returns numeric language sql as $$ select evil.spy(a::text); select pg_catalog.round(a, n) $$;
  create function evil.floor(a numeric) returns numeric language sql as $$ select evil.spy(a::text); select pg_catalog.floor(a) $$;
  create function evil.date_trunc(a text, b timestamp) returns timestamp language sql as $$ select evil.spy(b::text); select pg_catalog.date_trunc(a, b) $$;
  create function evil.jsonb_object_field_text(a jsonb, b text) returns text language sql as $$ select '64' $$;
  create function evil.cat(a text, b text) returns text language sql as $$ select evil.spy(a, b); select pg_catalog.textcat(a, b) $$;
  create operator evil.|| (leftarg = text, rightarg = text, function = evil.cat);
  create function evil.eq(a text, b text) returns boolean language sql as $$ select evil.spy(a, b); select pg_catalog.texteq(a, b) $$;
  create operator evil.= (leftarg = text, rightarg = text, function = evil.eq);
  create function evil.field(a jsonb, b text) returns text language sql as $$ select '64' $$;
  create operator evil.->> (leftarg = jsonb, rightarg = text, function = evil.field);
  create function evil.div(a numeric, b numeric) returns numeric language sql as $$ select evil.spy(a::text); select pg_catalog.numeric_div(a, b) $$;
  create operator evil./ (leftarg = numeric, rightarg = numeric, function = evil.div);
  create function evil.le(a integer, b integer) returns boolean language sql as $$ select evil.spy(a::text); select pg_catalog.int4le(a, b) $$;
  create operator evil.<= (leftarg = integer, rightarg = integer, function = evil.le);
  create function evil.translate(a text, b text, c text) returns text language sql as $$ select evil.spy(a); select pg_catalog.translate(a, b, c) $$;
  create function evil.octet_length(a text) returns integer language sql as $$ select evil.spy(a); select pg_catalog.octet_length(a) $$;
  create function evil.like(a text, b text) returns boolean language sql as $$ select evil.spy(a, b); select pg_catalog.textlike(a, b) $$;
  create operator evil.~~ (leftarg = text, rightarg = text, function = evil.like);
  create function evil.gt(a integer, b integer) returns boolean language sql as $$ select evil.spy(a::text); select pg_catalog.int4gt(a, b) $$;
  create operator evil.> (leftarg = integer, rightarg = integer, function = evil.gt);
  grant usage on schema evil to public;
  grant execute on all functions in schema evil to public;`;

// Every mask of the library on the secret (or a number or date standing for one), with the
// constant parameters a generator writes.
const MASKS = [
  `privacy.mask_redact(s, '{"replacement": "x"}')`,
  `privacy.mask_partial(s, '{"keep_first": 1, "keep_last": 0, "fill": "*"}')`,
  `privacy.mask_email(s, '{"keep_domain": false}')`,
  `privacy.mask_phone(s, '{"keep_last": 2}')`,
  `privacy.mask_hash(s, '{"algorithm": "sha256"}')`,
  `privacy.mask_pseudonym(s, '{"length": 16}')`,
  `privacy.mask_fake(s, '{"kind": "email", "locale": "sv"}')`,
  `privacy.mask_fake(s, '{"kind": "street", "locale": "en"}')`,
  `privacy.minimise_scrub_text(s, '{}')`,
  `privacy.minimise_pseudonymise(s, '{}')`,
  `privacy.mask_generalize(n, '{"step": 1000}')::text`,
  `privacy.mask_round(n, '{"digits": -2}')::text`,
  `privacy.mask_generalize(d, '{"unit": "year"}')::text`,
  `privacy.mask_time(d, '{"unit": "quarter_hour"}')::text`,
  `privacy.mask_generalize(i, '{"step": 10}')::text`,
  `privacy.mask_noise(i, '{"absolute": 0}')::text`,
];

describe('masking_search_path: look-alike functions and operators earlier in the search_path', () => {
  let reader: LoginRole;
  let expected: string[];

  beforeAll(async () => {
    await db.pool().query(TRAPS);
    await db.pool().query(`create table public.secret_row (s text, n numeric, d timestamp, i integer)`);
    await db.pool().query(`insert into public.secret_row values ($1, 987654.321, '2001-02-03 04:05:06.789', 4711)`, [SECRET]);
    reader = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await db.pool().query(`grant select on public.secret_row to ${reader.name}`);
    const { rows } = await db.pool().query(`select ${MASKS.map((m, i) => `${m} as m${i}`).join(', ')} from public.secret_row`);
    expected = MASKS.map((_, i) => rows[0][`m${i}`]);
  });

  async function underTraps<T>(work: (client: pg.Client, caught: string[]) => Promise<T>): Promise<T> {
    return asRole(reader, async (client) => {
      const caught: string[] = [];
      client.on('notice', (notice) => caught.push(notice.message ?? ''));
      await client.query(`set search_path = evil, pg_catalog`);
      return work(client, caught);
    });
  }

  it('the traps work: an unqualified call hands them the raw value', async () => {
    await underTraps(async (client, caught) => {
      await client.query(`select length(s) from public.secret_row`);
      expect(caught.join('\n')).toContain(SECRET);
    });
  });

  it('the expressions the generator writes for the declared parameters (sql/181) see none of them either', async () => {
    const declared: [string, object][] = [
      ['partial', { keep_first: 1 }], ['partial', { keep_first: 2, keep_last: 3, fill: '#-' }], ['phone', { keep_last: 2 }],
      ['phone', { keep_last: 0 }], ['email', {}],
    ];
    for (const [strategy, params] of declared) {
      const { rows: [{ expression, masked }] } = await db.pool().query(
        `select privacy.strategy_call($1, $2::jsonb, 's', 'text', 'mask') as expression,
                privacy.mask_${strategy}(s, privacy.strategy_defaults($1) || $2::jsonb) as masked
         from public.secret_row`, [strategy, JSON.stringify(params)]);
      await underTraps(async (client, caught) => {
        const { rows } = await client.query(`select ${expression} as masked from public.secret_row`);
        expect(caught, expression).toEqual([]);
        expect(rows[0].masked).toBe(masked);
      });
    }
  });

  it.each(MASKS.map((mask, i) => [mask, i] as const))('%s sees none of them and gives its true result', async (mask, i) => {
    await underTraps(async (client, caught) => {
      const { rows } = await client.query(`select ${mask} as masked from public.secret_row`);
      expect(caught).toEqual([]);
      expect(rows[0].masked).toBe(expected[i]);
    });
  });
});
