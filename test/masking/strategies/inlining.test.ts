import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../../support/login-role.ts';
import { useTestDatabase } from '../../support/test-database.ts';
import { column } from './scalar.ts';

const db = useTestDatabase('base');

/** Each mask as a generator writes it, and a piece of the plan that shows its parameters folded in. */
const CASES: [call: string, folded: string][] = [
  [`privacy.mask_partial(name, '{"keep_first": 1}')`, `"left"(name, 1)`],
  [`privacy.mask_redact(name, '{}')`, `'***'::text`],
  [`privacy.mask_email(name, '{"keep_domain": true}')`, `split_part(name, '@'::text, '-1'::integer)`],
  [`privacy.mask_phone(name, '{"keep_last": 3}')`, `{3})'::text`],
  [`privacy.mask_hash(name, '{"algorithm": "sha512"}')`, `sha512(`],
  [`privacy.mask_pseudonym(name, '{"length": 10}')`, `"left"(privacy.pseudonym_hmac(name), 10)`],
  // The word list itself is folded in, as an array constant.
  [`privacy.mask_fake(name, '{"kind": "city"}')`, `'{Björkvik,Ekeslätt,`],
  [`privacy.mask_generalize(born, '{"unit": "year"}')`, `date_trunc('year'::text, (born)::timestamp without time zone)`],
  [`privacy.mask_generalize(amount, '{"step": 100}')`, `'100'::numeric`],
  [`privacy.mask_round(lat, '{"digits": 3}')`, `round((lat)::numeric, 3)`],
  [`privacy.mask_noise(amount, '{"ratio": 0.1}')`, `gen_random_uuid()`],
  [`privacy.mask_grid(lat, '{"axis": "lat", "meters": 1000}')`, `floor((lat / '0.0089932101`],
  [`privacy.mask_time(seen, '{"unit": "day", "time_zone": "Europe/Stockholm"}')`, `date_trunc('day'::text, timezone('Europe/Stockholm'::text, seen))`],
  [`privacy.anonymize_pseudonym(name, '{"length": 12}')`, `gen_random_uuid()`],
  [`privacy.minimise_truncate_ip(ip, '{}')`, `set_masklen(ip, LEAST(masklen(ip), 24))`],
  [`privacy.minimise_cap_precision(lat, '{}')`, `round((lat)::numeric, 4)`],
];

describe('masks are inlined into the reader\'s query, parameters folded when it is planned', () => {
  let reader: LoginRole;

  beforeAll(async () => {
    await db.pool().query(`create table public.t (name text, born date, amount numeric, lat double precision, seen timestamptz, ip inet)`);
    reader = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await db.pool().query(`grant select on public.t to ${reader.name}`);
  });

  it.each(CASES)('%s', async (call, folded) => {
    // As a privacy_masked login: a function is inlined only for a role that may execute it.
    const plan = await asRole(reader, async (client) =>
      (await client.query(`explain (verbose, costs off) select ${call} from public.t`)).rows.map((r) => r['QUERY PLAN']).join('\n'));
    expect(plan).not.toMatch(/privacy\.(mask|anonymize|minimise|param)_\w+\(/);
    expect(plan).not.toMatch(/jsonb/);
    expect(plan).toContain(folded);
  });

  // The fakes that keep what schemas check (anonymize_fake_*, sql/152–155) are PL/pgSQL: they
  // only anonymize (never in a masked read, where inlining matters), draw from a sequence for
  // `unique`, and ran about 5x slower as SQL.
  it('every strategy function (but scrub_text, which reads sets of matches, and the anonymize-only fakes) is language sql without a SET clause', async () => {
    const blockers = await column<string>(db.pool(), `
      select p.oid::regprocedure::text || ' ' || l.lanname || coalesce(' ' || p.proconfig::text, '')
             || case when p.prosecdef then ' security definer' else '' end as value
      from pg_proc p join pg_language l on l.oid = p.prolang
      where p.pronamespace = 'privacy'::regnamespace
        and (p.proname ~ '^param_'
             or p.proname ~ '^(mask|anonymize|minimise)_' and p.proname <> 'minimise_scrub_text'
                and p.proname !~ '^anonymize_fake_'
                and p.pronargs = 2 and p.proargtypes[1] = 'jsonb'::regtype and p.prorettype = p.proargtypes[0])
        and (l.lanname <> 'sql' or p.proconfig is not null or p.prosecdef)`);
    expect(blockers).toEqual([]);
  });
});
