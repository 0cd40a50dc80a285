import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';
import { lastLedgerId, ledgerSince } from './subject-fixtures.ts';

// Rows an erasure keeps only because rows the law keeps still reference them, in tables that
// cannot be anonymized as a whole: what can be anonymized is, only what must stay stays.
const db = useTestDatabase('base');

type Line = { relation: string; outcome: string; rows: number; kept_by: string | null };
type ColumnReport = { relation: string; outcome: string; changed: string[] | null; unchanged: { column: string; why: string }[] | null };

/** The last erasure's lines as returned, and what each line with columns says of them. */
let raw: (Line & Pick<ColumnReport, 'changed' | 'unchanged'>)[] = [];
let columns: ColumnReport[] = [];

async function erase(id: string): Promise<(Line & Pick<ColumnReport, 'changed' | 'unchanged'>)[]> {
  const { rows } = await db.pool().query(
    `select relation, outcome, row_count::int as rows, kept_by, changed, unchanged
     from privacy.erase_subject('client', $1, 'Art. 17 request')`, [id]);
  raw = rows;
  columns = rows.filter((r) => r.changed !== null).map(({ relation, outcome, changed, unchanged }) => ({ relation, outcome, changed, unchanged }));
  return rows.map(({ changed: _c, unchanged: _u, ...line }) => line);
}

async function row(table: string, id: number): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.pool().query(`select * from public.${table} where id = $1`, [id]);
  return rows[0];
}

/** Everything erasure can change, as one comparable string. */
async function footprint(): Promise<string> {
  const { rows } = await db.pool().query(`select md5(string_agg(x, '|' order by x)) as f from (
    select t::text as x from public.client t union all select t::text from public.address t
    union all select t::text from public.bill t union all select t::text from privacy.restricted_row t
    union all select t::text from privacy.erased_row t) y`);
  return rows[0].f;
}

beforeAll(async () => {
  await db.pool().query(`
    -- The client's organisation number: unique, checked, with no strategy (its anonymized value,
    -- a random uuid, fails the check), so the client cannot be anonymized as a whole.
    create table public.client (
      id         bigint primary key,
      org_number text not null unique check (org_number ~ '^[0-9]{6}-[0-9]{4}$'),
      name       text not null,
      email      text,
      phone      text,
      street     text,
      member_no  text not null unique,
      postal_code text check (postal_code ~ '^[0-9]{3} [0-9]{2}$'),
      kind       text not null check (kind in ('company', 'consumer')),
      left_on    date
    );
    -- No policy: everything but the key is anonymized; its foreign keys cannot be (NOT NULL), so
    -- it cannot be anonymized as a whole either.
    create table public.region (id bigint primary key, name text not null);
    create table public.address (
      id        bigint primary key,
      client_id bigint not null references public.client,
      region_id bigint references public.region,
      line      text not null,
      zip       text check (zip ~ '^[0-9]{3} [0-9]{2}$'),
      note      text
    );
    create table public.bill (
      id         bigint primary key,
      client_id  bigint not null references public.client,
      address_id bigint references public.address,
      issued_on  date not null,
      amount     numeric not null
    );
    -- A rule the catalog does not show: a post-office box stays (refused by a trigger).
    create function public.keep_box() returns trigger language plpgsql as $f$
    begin
      if old.street like 'Box %' and new.street is distinct from old.street then
        raise exception using errcode = 'check_violation', message = 'a post-office box stays';
      end if;
      return new;
    end $f$;
    create trigger keep_box before update on public.client for each row execute function public.keep_box();

    insert into public.region values (1, 'Skåne');
    insert into public.client values
      (1, '556834-5044', 'Vätterbuss AB', 'ekonomi@vatterbuss.example', '070-174 06 40', 'Skolgatan 2', 'M-1001', '151 90', 'company', '2024-01-31'),
      (2, '920225-2855', 'Emma Berglund', 'emma@post.example', '070-174 06 54', 'Box 4711', 'M-1002', '222 41', 'consumer', null),
      (3, '610321-4455', 'Eva Lundberg', 'eva@mejl.example', null, 'Kyrkogatan 59', 'M-1003', null, 'consumer', null);
    insert into public.address values (10, 1, 1, 'Skolgatan 2', '151 90', 'Ring the bell'), (20, 2, 1, 'Box 4711', '222 41', null),
                                      (30, 3, null, 'Kyrkogatan 59', null, null);
    insert into public.bill values (100, 1, 10, current_date - 30, 1200), (101, 1, 10, '2010-03-01', 800),
                                   (200, 2, 20, '2011-05-01', 500), (300, 3, 30, '2009-01-01', 100);

    select privacy.declare_subject_type('client', 'client', 'id');
    select privacy.link_subject('client', t, 'client_id') from unnest(array['address', 'bill']) t;
    select privacy.declare_subject_type('bill', 'bill', 'id');

    select privacy.classify_column('client', c, 'not_personal') from unnest(array['id', 'kind', 'left_on']) c;
    select privacy.classify_column('client', 'org_number', 'identifier');
    select privacy.classify_column('client', 'name', 'identifier', anonymize => 'redact', anonymize_params => '{"replacement": "anonymized"}');
    select privacy.classify_column('client', c, 'contact', anonymize => 'null') from unnest(array['email', 'phone', 'street', 'postal_code']) c;
    select privacy.classify_column('client', 'member_no', 'identifier');
    select privacy.set_retention('client', anchor => 'left_on', keep => '1 year', action => 'anonymize');
    select privacy.set_retention('bill', anchor => 'issued_on', keep => '1 year', action => 'delete',
                                 minimum => 'bookkeeping', minimum_anchor => 'issued_on');
    -- Client 2's bill is past the minimum but disputed: a hold keeps it.
    select privacy.place_hold('bill', '200', 'legal_claim', review_on => current_date + 30, note => 'Dispute');`);
});

describe('a row kept only because kept rows reference it, in a table that cannot be anonymized whole', () => {
  let lines: Line[];
  let ledgerBefore: number;

  beforeAll(async () => {
    ledgerBefore = await lastLedgerId(db.pool());
    lines = await erase('1');
  });

  it('has what can be anonymized anonymized, and keeps what a constraint refuses, its key and foreign keys', async () => {
    // The number whose check refuses a uuid stays; the unique member number (NOT NULL, no
    // strategy) takes one; the postal code's check lets it be NULL; what is not personal stays.
    const client = await row('client', 1);
    expect(client).toMatchObject({ id: '1', org_number: '556834-5044', name: 'anonymized', email: null, phone: null, street: null,
                                   postal_code: null, kind: 'company' });
    expect(client!.member_no).toMatch(/^[0-9a-f-]{36}$/);
    // No policy: everything but the key, the foreign keys and the subject's link goes.
    expect(await row('address', 10)).toEqual({ id: '10', client_id: '1', region_id: '1', line: '', zip: null, note: null });
  });

  it('is restricted with the reason `referenced:<table>`, not recorded as anonymized, and reported on both lines', async () => {
    expect(lines).toEqual(expect.arrayContaining([
      { relation: 'public.client', outcome: 'anonymized', rows: 1, kept_by: null },
      { relation: 'public.client', outcome: 'restricted', rows: 1, kept_by: 'referenced:public.address' },
      { relation: 'public.address', outcome: 'anonymized', rows: 1, kept_by: null },
      { relation: 'public.address', outcome: 'restricted', rows: 1, kept_by: 'referenced:public.bill' },
      { relation: 'public.bill', outcome: 'deleted', rows: 1, kept_by: null },
      { relation: 'public.bill', outcome: 'restricted', rows: 1, kept_by: 'minimum:bookkeeping' },
    ]));
    expect(lines).toHaveLength(6);
    const { rows } = await db.pool().query(`select table_name, reason, until from privacy.restricted_row
      where subject_type = 'client' and subject_id = '1' and table_name in ('client', 'address') order by 1`);
    expect(rows).toEqual([{ table_name: 'address', reason: 'referenced:public.bill', until: null },
                          { table_name: 'client', reason: 'referenced:public.address', until: null }]);
    const { rows: erased } = await db.pool().query(`select count(*)::int as n from privacy.erased_row where table_name in ('client', 'address')`);
    expect(erased[0].n).toBe(0);
  });

  it('names the columns it anonymized and those it left as they were, with why: a refused number is stated, not hidden', async () => {
    expect(columns).toEqual([
      { relation: 'public.address', outcome: 'anonymized', changed: ['line', 'zip', 'note'],
        unchanged: [{ column: 'client_id', why: 'cannot be anonymized: it is NOT NULL and part of a foreign key' },
                    { column: 'region_id', why: 'a foreign key' }] },
      { relation: 'public.client', outcome: 'anonymized', changed: ['name', 'email', 'phone', 'street', 'member_no', 'postal_code'],
        unchanged: [{ column: 'org_number', why: 'check client_org_number_check refuses its anonymized value' }] },
    ]);
    // The other lines say nothing of columns: deleted rows are gone, restricted ones kept whole.
    expect(raw.filter((l) => l.outcome !== 'anonymized')).toHaveLength(4);
    expect(raw.filter((l) => l.outcome !== 'anonymized').every((l) => l.changed === null && l.unchanged === null)).toBe(true);
  });

  it('writes no value to the ledger, neither anonymized nor kept', async () => {
    const entries = await ledgerSince(db.pool(), ledgerBefore, 'subject.erase');
    expect(entries).toHaveLength(1);
    for (const value of ['556834-5044', 'Vätterbuss', 'ekonomi@vatterbuss.example', '070-174 06 40', 'Skolgatan', 'M-1001', 'Ring the bell']) {
      expect(entries[0]!.text).not.toContain(value);
    }
  });

  it('a second erasure reports nothing left to do and draws no new values', async () => {
    const before = await footprint();
    expect(await erase('1')).toEqual([]);
    expect(await footprint()).toBe(before);
  });
});

describe('columns a rule the catalog does not show refuses', () => {
  it('are found one at a time and kept; the rest is anonymized', async () => {
    const lines = await erase('2');
    expect(lines).toContainEqual({ relation: 'public.client', outcome: 'anonymized', rows: 1, kept_by: null });
    expect(lines).toContainEqual({ relation: 'public.client', outcome: 'restricted', rows: 1, kept_by: 'referenced:public.address' });
    expect(lines).toContainEqual({ relation: 'public.bill', outcome: 'restricted', rows: 1, kept_by: 'hold:legal_claim' });
    expect(await row('client', 2)).toMatchObject({ org_number: '920225-2855', name: 'anonymized', email: null, phone: null,
                                                   street: 'Box 4711', postal_code: null });
    // The report names the refused column and says a trigger (no constraint) refused it.
    expect(columns.find((c) => c.relation === 'public.client')!.unchanged).toEqual([
      { column: 'org_number', why: 'check client_org_number_check refuses its anonymized value' },
      { column: 'street', why: 'a trigger or rule refuses its anonymized value (SQLSTATE 23514)' },
    ]);
    expect(await erase('2')).toEqual([]);
  });

  it('goes, with what referenced it, once the hold is released (privacy.erase_due)', async () => {
    await db.pool().query(`select privacy.release_hold(id) from privacy.hold where subject_type = 'bill' and subject_id = '200'`);
    const { rows } = await db.pool().query(
      `select relation, outcome, row_count::int as rows from privacy.erase_due() where subject_type = 'client' order by 1, 2`);
    expect(rows).toEqual([{ relation: 'public.address', outcome: 'deleted', rows: 1 },
                          { relation: 'public.bill', outcome: 'deleted', rows: 1 },
                          { relation: 'public.client', outcome: 'deleted', rows: 1 }]);
    expect(await row('client', 2)).toBeUndefined();
    const { rows: left } = await db.pool().query(`select count(*)::int as n from privacy.restricted_row where subject_id = '2'`);
    expect(left[0].n).toBe(0);
  });
});

describe('a row nothing keeps', () => {
  it('is deleted as before, even in a table that cannot be anonymized whole', async () => {
    expect(await erase('3')).toEqual([{ relation: 'public.address', outcome: 'deleted', rows: 1, kept_by: null },
                                      { relation: 'public.bill', outcome: 'deleted', rows: 1, kept_by: null },
                                      { relation: 'public.client', outcome: 'deleted', rows: 1, kept_by: null }]);
    expect(await row('client', 3)).toBeUndefined();
  });
});

describe('rows with nothing personal to anonymize', () => {
  beforeAll(async () => {
    await db.pool().query(`
      create table public.worker (id bigint primary key, name text, left_on date);
      create table public.shift (id bigint primary key, worker_id bigint not null references public.worker, starts_on date not null,
                                 room text);
      insert into public.worker values (1, 'Maja Holm', '2020-01-31');
      insert into public.shift values (1, 1, '2019-05-01', 'A'), (2, 1, '2019-05-02', 'B');
      select privacy.declare_subject_type('worker', 'worker', 'id');
      select privacy.link_subject('worker', 'shift', 'worker_id');
      select privacy.classify_column('worker', 'name', 'identifier', anonymize => 'null');
      select privacy.classify_column('worker', c, 'not_personal') from unnest(array['id', 'left_on']) c;
      select privacy.classify_column('shift', c, 'not_personal') from unnest(array['id', 'worker_id', 'starts_on', 'room']) c;
      select privacy.set_retention(t, anchor => a, keep => '1 year', action => 'anonymize')
      from (values ('worker', 'left_on'), ('shift', 'starts_on')) v(t, a);`);
  });

  it('are reported unchanged, never anonymized, and marked done', async () => {
    const before = (await db.pool().query(`select * from public.shift order by id`)).rows;
    const { rows } = await db.pool().query(`select relation, outcome, row_count::int as rows, changed, unchanged
                                            from privacy.erase_subject('worker', '1', 'Art. 17 request')`);
    expect(rows).toEqual([
      { relation: 'public.shift', outcome: 'unchanged', rows: 2, changed: [], unchanged: [] },
      { relation: 'public.worker', outcome: 'anonymized', rows: 1, changed: ['name'], unchanged: [] },
    ]);
    expect((await db.pool().query(`select * from public.shift order by id`)).rows).toEqual(before);
    const { rows: ledger } = await db.pool().query(`select detail from privacy.ledger where action = 'subject.erase' order by id desc limit 1`);
    expect(ledger[0].detail.report).toContainEqual({ relation: 'public.shift', outcome: 'unchanged', row_count: 2, changed: [], unchanged: [] });
    expect((await db.pool().query(`select * from privacy.erase_subject('worker', '1', 'again')`)).rows).toEqual([]);
  });
});

describe('why a refused column is named, for each kind of constraint', () => {
  it.each([
    ['23505', 'client_member_no_key', 'unique client_member_no_key refuses its anonymized value'],
    ['23514', 'client_org_number_check', 'check client_org_number_check refuses its anonymized value'],
    ['23503', 'address_client_id_fkey', 'foreign key address_client_id_fkey refuses its anonymized value'],
    ['23P01', 'booking_during_excl', 'exclusion booking_during_excl refuses its anonymized value'],
    // NOT NULL by its SQLSTATE (PostgreSQL 18 names the constraint, 15 does not): the same words on both.
    ['23502', null, 'NOT NULL refuses its anonymized value'],
    ['23502', 'client_name_not_null', 'NOT NULL refuses its anonymized value'],
    ['23514', '', 'a trigger or rule refuses its anonymized value (SQLSTATE 23514)'],
  ])('%s %s', async (state, constraint, why) => {
    const { rows } = await db.pool().query(`select privacy.erasure_refusal($1, $2) as why`, [state, constraint]);
    expect(rows[0].why).toBe(why);
  });
});
