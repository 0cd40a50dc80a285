// Anonymization that the schema's own constraints would refuse is refused when it is declared,
// naming the constraint and a strategy that passes; with that strategy the sweep is clean. One
// test per kind of constraint: NOT NULL, CHECK, a domain's CHECK, UNIQUE, FOREIGN KEY.
import { beforeAll, describe, expect, it } from 'vitest';
import { toPrivacyError } from '../../src/errors/privacy-error.ts';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import { lintDatabase } from '../../src/policy/lint/lint-database.ts';
import { actedRows, sweepToEnd } from './retention-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

async function refusal(sql: string): Promise<{ code?: string; message: string; hint?: string }> {
  try {
    await db.pool().query(sql);
  } catch (error) {
    return toPrivacyError(error) as { code?: string; message: string; hint?: string };
  }
  throw new Error(`expected a refusal of: ${sql}`);
}

/** The classify_column arguments the hint suggests, e.g. `'fake_imei', anonymize_params => '{"unique": true}'`. */
function suggested(hint: string | undefined): string {
  const match = /anonymize => (.+)\.$/.exec(hint ?? '');
  expect(match, hint).not.toBeNull();
  return match![1]!;
}

/** Declares the suggested strategy, sweeps the table to the end, and returns what the sweep did. */
async function sweepWith(table: string, column: string, category: string, suggestion: string) {
  await db.pool().query(`select privacy.classify_column('${table}', '${column}', '${category}', anonymize => ${suggestion})`);
  const client = await db.pool().connect();
  try {
    const lines = await sweepToEnd(client, table, 100);
    return { state: lines.at(-1)?.runState, acted: actedRows(lines) };
  } finally {
    client.release();
  }
}

/**
 * A table of 40 expired rows with the one column under test (`column_sql`, filled by `value_sql`
 * of g), everything else not personal, and a retention policy that anonymizes.
 */
async function tableWith(table: string, columnSql: string, valueSql: string): Promise<void> {
  await db.pool().query(`
    create table public.${table} (id bigint primary key, last_visit date not null, ${columnSql});
    insert into public.${table} select g, current_date - 4000 + g, ${valueSql} from generate_series(1, 40) g;
    select privacy.classify_column('${table}', 'last_visit', 'not_personal');
    select privacy.set_retention('${table}', anchor => 'last_visit', keep => '5 years', action => 'anonymize');`);
}

beforeAll(async () => {
  await db.pool().query(`
    create domain public.orgnr as text check (value ~ '^[0-9]{6}-[0-9]{4}$');
    create table public.clinic (id bigint primary key, name text);
    insert into public.clinic select g, 'Clinic ' || g from generate_series(1, 3) g;`);
  await tableWith('nick', 'nickname text not null', `'Nick ' || g`);
  await tableWith('patient', `personnummer text not null check (personnummer ~ '^[0-9]{8}-[0-9]{4}$')`, `'19800101-' || lpad(g::text, 4, '0')`);
  await tableWith('employment', 'employer_org_no public.orgnr', `'556677-' || lpad(g::text, 4, '0')`);
  await tableWith('login', 'email text not null unique', `'patient' || g || '@mail.example'`);
  await tableWith('visit', 'clinic_id bigint references public.clinic', '1 + g % 3');
});

describe('an anonymize strategy the constraints refuse', () => {
  it('NOT NULL: null into a NOT NULL column is refused (without trying a row); the suggestion sweeps clean', async () => {
    const error = await refusal(`select privacy.classify_column('nick', 'nickname', 'identifier', anonymize => 'null')`);
    expect(error.code).toBe('PV307');
    expect(error.message).toBe('public.nick.nickname: anonymize strategy null is refused by NOT NULL nickname: '
                               + 'it would write NULL into a NOT NULL column');
    expect(suggested(error.hint)).toBe(`'pseudonym'`);
    expect(await sweepWith('nick', 'nickname', 'identifier', suggested(error.hint))).toEqual({ state: 'done', acted: 40 });
  });

  it('CHECK: a text a format CHECK refuses is refused, by trial on real rows; the suggested fake personnummer passes', async () => {
    const before = await db.pool().query(`select md5(string_agg(p::text, ',' order by id)) as h from public.patient p`);
    const error = await refusal(`select privacy.classify_column('patient', 'personnummer', 'identifier', anonymize => 'redact',
                                                                 anonymize_params => '{"replacement": "anonymized"}')`);
    expect(error.code).toBe('PV307');
    expect(error.message).toMatch(/^public\.patient\.personnummer: anonymize strategy redact is refused by CHECK patient_personnummer_check: .*23514/);
    expect(suggested(error.hint)).toBe(`'fake_personnummer'`);
    // The trial changed nothing.
    const after = await db.pool().query(`select md5(string_agg(p::text, ',' order by id)) as h from public.patient p`);
    expect(after.rows[0].h).toBe(before.rows[0].h);
    const swept = await sweepWith('patient', 'personnummer', 'identifier', suggested(error.hint));
    expect(swept).toEqual({ state: 'done', acted: 40 });
    const { rows } = await db.pool().query(`select count(*)::int as n from public.patient where personnummer like '19800101-%'`);
    expect(rows[0].n).toBe(0);
  });

  it("domain CHECK: a value the column's domain refuses is refused, the domain's constraint named", async () => {
    const error = await refusal(`select privacy.classify_column('employment', 'employer_org_no', 'identifier', anonymize => 'pseudonym')`);
    expect(error.code).toBe('PV307');
    expect(error.message).toMatch(/refused by domain CHECK orgnr_check/);
    expect(suggested(error.hint)).toBe(`'fake_organisationsnummer'`);
    expect(await sweepWith('employment', 'employer_org_no', 'identifier', suggested(error.hint))).toEqual({ state: 'done', acted: 40 });
  });

  it('UNIQUE: one constant into a UNIQUE column is refused; the suggested unique fake e-mail passes', async () => {
    const error = await refusal(`select privacy.classify_column('login', 'email', 'contact', anonymize => 'redact')`);
    expect(error.code).toBe('PV307');
    expect(error.message).toMatch(/refused by UNIQUE login_email_key: it would write one and the same value into every row/);
    expect(suggested(error.hint)).toBe(`'fake_email', anonymize_params => '{"unique": true}'`);
    expect(await sweepWith('login', 'email', 'contact', suggested(error.hint))).toEqual({ state: 'done', acted: 40 });
    const { rows } = await db.pool().query(`select count(distinct email)::int as n from public.login where email like '%@example.invalid'`);
    expect(rows[0].n).toBe(40);
  });

  it('FOREIGN KEY: a key the referenced table does not have is refused; null passes', async () => {
    const error = await refusal(`select privacy.classify_column('visit', 'clinic_id', 'identifier', anonymize => 'pseudonym')`);
    expect(error.code).toBe('PV307');
    expect(error.message).toMatch(/refused by FOREIGN KEY visit_clinic_id_fkey: .*23503/);
    expect(suggested(error.hint)).toBe(`'null'`);
    expect(await sweepWith('visit', 'clinic_id', 'identifier', suggested(error.hint))).toEqual({ state: 'done', acted: 40 });
  });

  it('verify names a column that no declaration checked (no strategy, the blank value refused), with a strategy that passes', async () => {
    await db.pool().query(`
      create table public.device (id bigint primary key, removed_at date, imei text not null unique check (imei ~ '^[0-9]{15}$'));
      insert into public.device select g, current_date - 1000, lpad(g::text, 15, '3') from generate_series(1, 5) g;
      select privacy.classify_column('device', 'removed_at', 'not_personal');
      select privacy.set_retention('device', anchor => 'removed_at', keep => '1 year', action => 'anonymize');`);
    const { rows } = await db.pool().query(`select severity, object, message from privacy.verify() where check_name = 'anonymize_refused_by_constraint'`);
    expect(rows).toEqual([{
      severity: 'high', object: 'public.device.imei',
      message: expect.stringMatching(/CHECK device_imei_check refuses .*this one passes: anonymize => 'fake_imei', anonymize_params => '\{"unique": true\}'/),
    }]);
    // lint says the same, as an error for CI, and leaves the rows as they were.
    const kysely = openKysely(db.url, { max: 1 });
    try {
      const { findings } = await lintDatabase(kysely);
      expect(findings.filter((f) => f.rule === 'anonymize-refused')).toEqual([expect.objectContaining({
        severity: 'error', object: 'public.device.imei', message: expect.stringMatching(/CHECK device_imei_check refuses/),
      })]);
    } finally {
      await kysely.destroy();
    }
    const { rows: imeis } = await db.pool().query(`select count(*)::int as n from public.device where imei like '333%'`);
    expect(imeis[0].n).toBe(5);
  });
});
