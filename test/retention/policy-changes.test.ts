import { beforeAll, describe, expect, it } from 'vitest';
import { actedRows, sweepToEnd } from './retention-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

async function sweep(table: string) {
  const client = await db.pool().connect();
  try {
    return await sweepToEnd(client, table, 50);
  } finally {
    client.release();
  }
}

async function count(sql: string): Promise<number> {
  return Number(Object.values((await db.pool().query(sql)).rows[0])[0]);
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.ticket (id bigint primary key, status text not null, closed_on date, reporter text);
    insert into public.ticket select g, case when g % 3 = 0 then 'open' else 'closed' end, current_date - 500 - g, 'Reporter ' || g
      from generate_series(1, 300) g;
    select privacy.classify_column('ticket', 'status', 'not_personal');
    select privacy.set_retention('ticket', anchor => 'closed_on', keep => '1 year', action => 'anonymize');
    select privacy.set_retention_options('ticket', filter => '{"status": ["closed", "archived"]}');`);
});

describe('a policy filter', () => {
  it('sweeps only the rows it selects', async () => {
    expect(actedRows(await sweep('ticket'))).toBe(200);
    expect(await count(`select count(*) from public.ticket where status = 'open' and reporter is null`)).toBe(0);
    expect(await count(`select count(*) from public.ticket where status = 'closed' and reporter is not null`)).toBe(0);
  });

  it('a row that comes under the filter after its anchor passed the watermark is queued and swept next', async () => {
    await db.pool().query(`update public.ticket set status = 'archived' where id in (3, 6, 9)`);
    expect(await count(`select count(*) from privacy.retention_pending where reason = 'late'`)).toBe(3);
    expect(actedRows(await sweep('ticket'))).toBe(3);
    expect(await count(`select count(*) from public.ticket where id in (3, 6, 9) and reporter is null`)).toBe(3);
  });
});

describe('changing a policy', () => {
  it('a wider filter starts the table over from its oldest row; rows done stay done', async () => {
    await db.pool().query(`select privacy.set_retention_options('ticket', filter => '{}')`);
    expect(await count(`select count(*) from privacy.sweep_state where table_name = 'ticket' and done_below is null`)).toBe(1);
    const lines = await sweep('ticket');
    // Every expired row is governed now: the 97 still open ones are anonymized, the done ones again (to the same values).
    expect(actedRows(lines)).toBe(300);
    expect(await count(`select count(*) from public.ticket where reporter is not null`)).toBe(0);
  });

  it('a longer keep period changes nothing already done, and the sweep waits for the new cutoff', async () => {
    await db.pool().query(`insert into public.ticket values (1000, 'closed', current_date - 600, 'Late Reporter')`);
    await db.pool().query(`select privacy.set_retention('ticket', anchor => 'closed_on', keep => '3 years', action => 'anonymize')`);
    expect(actedRows(await sweep('ticket'))).toBe(0);
    expect(await count(`select count(*) from public.ticket where id = 1000 and reporter is not null`)).toBe(1);
  });

  it('from delete to anonymize, rows the delete kept back (referenced) are anonymized and counted once', async () => {
    await db.pool().query(`
      create table public.member (id bigint primary key, left_on date not null, name text);
      create table public.loan (id bigint primary key, member_id bigint not null references public.member);
      insert into public.member select g, current_date - 800, 'Member ' || g from generate_series(1, 5) g;
      insert into public.loan values (1, 1), (2, 2);
      select privacy.set_retention('member', anchor => 'left_on', keep => '1 year', action => 'delete');`);
    const deleted = await sweep('member');
    expect(actedRows(deleted)).toBe(3);
    expect(await count(`select count(*) from privacy.retention_pending where table_name = 'member'`)).toBe(2);
    await db.pool().query(`select privacy.set_retention('member', anchor => 'left_on', keep => '1 year', action => 'anonymize')`);
    const lines = await sweep('member');
    expect(actedRows(lines)).toBe(2);
    expect(await count(`select count(*) from public.member where name is null`)).toBe(2);
    const { rows } = await db.pool().query(`select (detail->>'anonymized')::int as n from privacy.ledger
                                            where action = 'sweep' and object = 'public.member' order by id desc limit 1`);
    expect(rows[0].n).toBe(2);
  });

  it('dropping the policy removes its queue, state, index and guards, and leaves the rows', async () => {
    await db.pool().query(`select privacy.drop_retention('ticket')`);
    expect(await count(`select count(*) from privacy.sweep_state where table_name = 'ticket'`)).toBe(0);
    expect(await count(`select count(*) from privacy.retention_pending where table_name = 'ticket'`)).toBe(0);
    expect(await count(`select count(*) from pg_trigger where tgrelid = 'public.ticket'::regclass and not tgisinternal`)).toBe(0);
    expect(await count(`select count(*) from pg_indexes where tablename = 'ticket'`)).toBe(1);
    expect(await count(`select count(*) from public.ticket`)).toBe(301);
  });
});
