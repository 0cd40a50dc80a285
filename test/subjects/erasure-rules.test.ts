import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { failureOf } from './subject-fixtures.ts';

const db = useTestDatabase('base');

async function erase(id: string): Promise<{ relation: string; outcome: string; rows: number; kept_by: string | null }[]> {
  const { rows } = await db.pool().query(
    `select relation, outcome, row_count::int as rows, kept_by from privacy.erase_subject('member', $1, 'test')`, [id]);
  return rows;
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.pool().query(sql, values);
  return Number(Object.values(rows[0])[0]);
}

/** Everything erasure can change, as one comparable string. */
async function footprint(): Promise<string> {
  const { rows } = await db.pool().query(`select md5(string_agg(x, '|' order by x)) as f from (
    select t::text as x from public.member t union all select t::text from public.fee t union all select t::text from public.visit t
    union all select t::text from public.badge t union all select t::text from public.badge_scan t union all select t::text from public.locker t
    union all select t::text from public.guestbook t union all select t::text from privacy.restricted_row t
    union all select t::text from privacy.erased_row t) y`);
  return rows[0].f;
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.member (id bigint primary key, name text, email text not null, joined_on date not null, left_on date);
    create table public.fee (id bigint primary key, member_id bigint not null references public.member, paid_on date not null,
                             amount numeric not null);
    create table public.visit (member_id bigint not null references public.member, at timestamptz not null, door text);
    create table public.badge (id bigint primary key, member_id bigint not null references public.member, code text not null);
    create table public.badge_scan (id bigint primary key, badge_id bigint not null references public.badge, at timestamptz not null, door text);
    create table public.locker (id bigint primary key, badge_id bigint references public.badge);
    create table public.guestbook (id bigint primary key, member_id bigint references public.member on delete cascade, message text);
    insert into public.member values (1, 'Anna Berg', 'anna@example.se', '2015-01-01', '2020-06-30'),
                                     (2, 'Bo Ek', 'bo@example.se', '2016-01-01', null),
                                     (3, 'Cia Ny', 'cia@example.se', '2017-01-01', null);
    insert into public.fee values (1, 1, current_date - 30, 100), (2, 1, '2010-03-01', 100), (3, 2, current_date - 30, 100);
    insert into public.visit values (1, now(), 'north'), (1, now(), 'south'), (2, now(), 'north'), (3, now(), 'west');
    insert into public.badge values (10, 1, 'B-10'), (11, 1, 'B-11'), (12, 1, 'B-12'), (20, 2, 'B-20');
    insert into public.badge_scan select g, 10 + g % 3, now() - g * interval '1 hour', 'north' from generate_series(1, 30) g;
    insert into public.badge_scan values (100, 20, now(), 'south');
    insert into public.locker values (1, 12);
    insert into public.guestbook values (1, 1, 'Lovely place');

    select privacy.declare_subject_type('member', 'member', 'id');
    select privacy.link_subject('member', t, 'member_id') from unnest(array['fee', 'visit', 'badge']) t;
    select privacy.link_subject_through('member', 'badge_scan', 'badge');
    -- A badge can be a subject of its own: a dispute over a break-in holds its scans.
    select privacy.declare_subject_type('badge', 'badge', 'id');
    select privacy.link_subject('badge', 'badge_scan', 'badge_id');

    select privacy.classify_column('member', c, 'not_personal') from unnest(array['id', 'joined_on']) c;
    select privacy.classify_column('member', 'name', 'identifier', anonymize => 'null');
    select privacy.classify_column('member', 'email', 'contact');
    select privacy.classify_column('badge', c, 'not_personal') from unnest(array['id', 'member_id']) c;
    select privacy.set_retention('member', anchor => 'left_on', keep => '1 year', action => 'anonymize');
    select privacy.set_retention('fee', anchor => 'paid_on', keep => '1 year', action => 'delete',
                                 minimum => 'bookkeeping', minimum_anchor => 'paid_on');`);
});

describe('erasure follows each table\'s rules', () => {
  let before: string;
  let lines: Awaited<ReturnType<typeof erase>>;

  beforeAll(async () => {
    await db.pool().query(`select privacy.place_hold('badge', '11', 'legal_claim', review_on => current_date + 30, note => 'Break-in, case 7')`);
    lines = await erase('1');
  });

  it('anonymizes a table whose policy anonymizes, in place, and records the row as erased', async () => {
    // As a sweep would: strategies where given, else NULL or an empty value; the anchor stays.
    const { rows } = await db.pool().query(`select name, email, joined_on::text, left_on::text from public.member where id = 1`);
    expect(rows).toEqual([{ name: null, email: '', joined_on: '2015-01-01', left_on: '2020-06-30' }]);
    expect(lines).toContainEqual({ relation: 'public.member', outcome: 'anonymized', rows: 1, kept_by: null });
    expect(await count(`select count(*) from privacy.erased_row where table_name = 'member' and row_key = '{1}'`)).toBe(1);
  });

  it('deletes tables without a policy, and rows reached only through a foreign key (badge → badge_scan)', async () => {
    expect(await count(`select count(*) from public.visit where member_id = 1`)).toBe(0);
    expect(await count(`select count(*) from public.badge_scan where badge_id = 10`)).toBe(0);
    expect(lines).toContainEqual({ relation: 'public.visit', outcome: 'deleted', rows: 2, kept_by: null });
    expect(await count(`select count(*) from public.visit`)).toBe(2);
  });

  it('keeps what a statutory minimum keeps, restricted, and deletes what it no longer keeps', async () => {
    expect(await count(`select count(*) from public.fee where member_id = 1`)).toBe(1);
    expect(lines).toContainEqual({ relation: 'public.fee', outcome: 'deleted', rows: 1, kept_by: null });
    expect(lines).toContainEqual({ relation: 'public.fee', outcome: 'restricted', rows: 1, kept_by: 'minimum:bookkeeping' });
  });

  it('keeps what a hold on another subject keeps, through a path link too', async () => {
    // Badge 11 is held: its scans stay (they belong to the member through the badge), and so does the badge.
    expect(await count(`select count(*) from public.badge_scan where badge_id = 11`)).toBe(10);
    expect(lines).toContainEqual({ relation: 'public.badge_scan', outcome: 'restricted', rows: 10, kept_by: 'hold:legal_claim' });
    expect(await count(`select count(*) from public.badge where id = 11`)).toBe(1);
  });

  it('never deletes a row something else references: it is anonymized where it can be, and nothing cascades', async () => {
    // Badge 12 is referenced by a locker, which belongs to nobody: anonymized (code '' by privacy by default), locker kept.
    expect((await db.pool().query(`select code from public.badge where id = 12`)).rows).toEqual([{ code: '' }]);
    expect(await count(`select count(*) from public.locker`)).toBe(1);
    expect(lines).toContainEqual({ relation: 'public.badge', outcome: 'anonymized', rows: 1, kept_by: null });
    // Badge 11 is held itself (the hold is on it), so it stays as it is, restricted.
    expect((await db.pool().query(`select code from public.badge where id = 11`)).rows).toEqual([{ code: 'B-11' }]);
    expect(lines).toContainEqual({ relation: 'public.badge', outcome: 'restricted', rows: 1, kept_by: 'hold:legal_claim' });
    expect(lines).toContainEqual({ relation: 'public.badge', outcome: 'deleted', rows: 1, kept_by: null });
    // The guestbook's ON DELETE CASCADE never fires: the member row is kept (anonymized).
    expect(await count(`select count(*) from public.guestbook`)).toBe(1);
    // Other members are untouched.
    expect(await count(`select count(*) from public.badge_scan where badge_id = 20`)).toBe(1);
  });

  it('a second erasure reports nothing left to do and changes nothing', async () => {
    before = await footprint();
    expect(await erase('1')).toEqual([]);
    expect(await footprint()).toBe(before);
  });

  it('rows kept back are erased once the hold is released (privacy.erase_due)', async () => {
    await db.pool().query(`select privacy.release_hold(id) from privacy.hold where subject_type = 'badge' and subject_id = '11'`);
    const { rows } = await db.pool().query(`select relation, outcome, row_count::int as rows from privacy.erase_due() where subject_type = 'member'`);
    // The scans go, and with them the last reference to the (anonymized) badge, which goes too.
    expect(rows).toEqual([{ relation: 'public.badge', outcome: 'deleted', rows: 1 },
                          { relation: 'public.badge_scan', outcome: 'deleted', rows: 10 }]);
    expect(await count(`select count(*) from privacy.restricted_row where table_name = 'badge_scan'`)).toBe(0);
  });
});

describe('rows kept back that go some other way', () => {
  it('leave no restriction behind: the next erasure of the subject forgets them', async () => {
    expect(await count(`select count(*) from privacy.restricted_row where table_name = 'fee' and subject_id = '1'`)).toBe(1);
    const client = await db.pool().connect();
    try {
      await client.query(`begin; set local privacy.reason = 'Refunded and voided, ticket 88'; delete from public.fee where id = 1; commit;`);
    } finally {
      client.release();
    }
    expect(await erase('1')).toEqual([]);
    expect(await count(`select count(*) from privacy.restricted_row where table_name = 'fee' and subject_id = '1'`)).toBe(0);
  });
});

describe('prepared_statement_hijack', () => {
  it('a statement the session prepares under the name the erasure uses is replaced, never run with the owner\'s rights', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      await client.query(`select * from privacy.erase_subject('member', '2', 'ticket 1')`);
      const { rows } = await client.query(`select name from pg_prepared_statements where name like 'integritet\\_%'`);
      expect(rows.length).toBeGreaterThan(0);
      // The same names, now for statements that would empty the ledger and drop a table.
      for (const { name } of rows) {
        await client.query(`deallocate ${name}`);
        await client.query(`prepare ${name}(text) as with x as (delete from privacy.ledger returning 1) select count(*) from x`);
      }
      await client.query(`select * from privacy.erase_subject('member', '2', 'ticket 2')`);
      const { rows: after } = await client.query(`select count(*)::int as n from pg_prepared_statements where statement like '%privacy.ledger%'`);
      expect(after[0].n).toBe(0);
      // Executed directly, the erasure's statements run with the admin's own rights.
      const [{ name }] = (await client.query(`select name from pg_prepared_statements where statement like '%delete from public.badge%' limit 1`)).rows;
      expect(await failureOf(client, `execute ${name}('2')`)).toMatchObject({ code: '42501' });
    });
    expect(await count(`select count(*) from privacy.ledger where action = 'subject.erase'`)).toBeGreaterThan(2);
  });
});

describe('erasure refuses, changing nothing', () => {
  it('rows the law keeps in a table without a primary key cannot be restricted (PV405), so nothing is erased', async () => {
    await db.pool().query(`select privacy.place_hold('member', '3', 'custom', until => current_date + 10)`);
    const before = await footprint();
    const error = await failureOf(db.pool(), `select * from privacy.erase_subject('member', '3', 'test')`);
    expect(error).toMatchObject({ code: 'PV405', object: 'public.visit' });
    expect(await footprint()).toBe(before);
  });

  it.each([
    ['an unknown subject type', `select * from privacy.erase_subject('visitor', '1', 'test')`, 'PV007'],
    ['an id that fits no linked column', `select * from privacy.erase_subject('member', 'anna@example.se', 'test')`, 'PV404'],
    ['no reason', `select * from privacy.erase_subject('member', '2', null)`, 'PV011'],
  ])('%s', async (_what, sql, code) => {
    const before = await footprint();
    const error = await failureOf(db.pool(), sql);
    expect(error).toMatchObject({ code });
    expect(error.message).not.toContain('anna@example.se');
    expect(await footprint()).toBe(before);
  });
});
