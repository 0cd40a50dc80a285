import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actedRows, keptRows, sweepToEnd } from './retention-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

// Deleting expired rows that other tables reference. A row still referenced (ON DELETE NO ACTION
// or RESTRICT) is kept back and queued, never deleted and never a failed batch. A batch is first
// deleted without looking the references up, inside a savepoint, and looked at row by row only
// when a reference refuses it: where that first attempt could be seen (a trigger, a deferred
// check, a cascade), the references are always looked up first.

const db = useTestDatabase('base');

async function sweep(table: string, batchSize = 1000) {
  const client = await db.pool().connect();
  try {
    return await sweepToEnd(client, table, batchSize);
  } finally {
    client.release();
  }
}

async function count(sql: string): Promise<number> {
  return Number(Object.values((await db.pool().query(sql)).rows[0])[0]);
}

async function ids(sql: string): Promise<number[]> {
  return (await db.pool().query(sql)).rows.map((r) => Number(Object.values(r)[0]));
}

describe('a table that references itself', () => {
  it('a row referenced only by a row of the same batch is kept back, queued, and deleted by the next run', async () => {
    await db.pool().query(`
      create table public.category (id bigint primary key, parent_id bigint references public.category, retired_on date not null);
      insert into public.category values (1, null, current_date - 800), (2, 1, current_date - 799),
                                          (3, null, current_date - 798), (4, null, current_date - 10);
      select privacy.set_retention('category', anchor => 'retired_on', keep => '1 year', action => 'delete');`);
    const first = await sweep('category');
    // 2 and 3 go; 1 was referenced by 2 when the batch began: kept back, and queued for the next run.
    expect(actedRows(first)).toBe(2);
    expect(keptRows(first)).toEqual({ 'referenced:public.category': 1 });
    expect(await ids(`select id from public.category order by id`)).toEqual([1, 4]);
    expect(await ids(`select row_key[1]::int from privacy.retention_pending where table_name = 'category'`)).toEqual([1]);

    const second = await sweep('category');
    expect(actedRows(second)).toBe(1);
    expect(await ids(`select id from public.category order by id`)).toEqual([4]);
    expect(await count(`select count(*) from privacy.retention_pending where table_name = 'category'`)).toBe(0);
  });
});

/**
 * An account table to sweep, linked to people for holds: accounts 1–100 have expired (closed
 * 800–899 days ago, in the order of their ids, so that batches of 10 are 1–10, 11–20 …), 101–110
 * are current. The caller adds what references it.
 */
async function createAccounts(table: string): Promise<void> {
  await db.pool().query(`
    create table public.${table} (id bigint primary key, person_id bigint not null references public.person, closed_on date not null, name text);
    insert into public.${table} select g, g, current_date - 900 + g, 'Account ' || g from generate_series(1, 100) g;
    insert into public.${table} select g, g, current_date - 10, 'Account ' || g from generate_series(101, 110) g;
    select privacy.link_subject('person', '${table}', 'person_id');
    select privacy.classify_column('${table}', 'person_id', 'not_personal');
    select privacy.set_retention('${table}', anchor => 'closed_on', keep => '1 year', action => 'delete');`);
}

/** The expired accounts still there, and the queue entries of the table, by reason. */
async function outcome(table: string) {
  return {
    left: await ids(`select id from public.${table} where id <= 100 order by id`),
    current: await count(`select count(*) from public.${table} where id > 100`),
    queued: (await db.pool().query(`select reason, array_agg(row_key[1]::int order by row_key[1]::int) as ids
                                    from privacy.retention_pending where table_name = '${table}' group by reason order by reason`)).rows,
  };
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.person (id bigint primary key);
    insert into public.person select g from generate_series(1, 110) g;
    select privacy.declare_subject_type('person', 'person', 'id');`);
});

describe('a table referenced from the partitions of another', () => {
  afterAll(async () => {
    await db.pool().query(`select privacy.release_hold(id) from privacy.hold where released_at is null`);
  });

  it('keeps back and queues exactly the rows still referenced or held, deletes every other expired row', async () => {
    await createAccounts('account');
    await db.pool().query(`
      create table public.payment (id bigint, account_id bigint not null, paid_at date not null) partition by range (paid_at);
      create table public.payment_old partition of public.payment for values from ('2000-01-01') to ('2024-01-01');
      create table public.payment_new partition of public.payment for values from ('2024-01-01') to ('2100-01-01');
      -- Accounts 41–60 (every fifth) are referenced, from both partitions, and the current ones.
      insert into public.payment select g, g, '2023-06-01' from generate_series(45, 60, 5) g;
      insert into public.payment select 100 + g, g, current_date - 5 from generate_series(50, 60, 10) g;
      insert into public.payment select 200 + g, g, current_date - 5 from generate_series(101, 110) g;
      alter table public.payment add foreign key (account_id) references public.account;
      select privacy.place_hold('person', '3', 'custom', until => current_date + 30);
      select privacy.place_hold('person', '50', 'custom', until => current_date + 30);`);
    expect(await count(`select privacy.sweep_may_skip_probe('public.account'::regclass)::int`)).toBe(1);
    // Batches of 10: those of accounts 1–40 and 61–100 go without a probe, the others fall back.
    const lines = await sweep('account', 10);
    expect(actedRows(lines)).toBe(100 - 5);
    expect(keptRows(lines)).toEqual({ 'hold:custom': 2, 'referenced:public.payment': 3 });
    expect(await outcome('account')).toEqual({
      left: [3, 45, 50, 55, 60], current: 10,
      queued: [{ reason: 'hold:custom', ids: [3, 50] }, { reason: 'referenced:public.payment', ids: [45, 55, 60] }],
    });
    expect(lines.every((l) => l.runState !== 'failed')).toBe(true);
    expect(await count(`select count(*) from privacy.sweep_batch b join privacy.sweep_run r on r.id = b.run_id
                        where r.table_name = 'account' and b.state <> 'done'`)).toBe(0);
  });

  it('rows no longer referenced are deleted by the next run; those still referenced stay queued', async () => {
    await db.pool().query(`delete from public.payment where account_id in (45, 60)`);
    const lines = await sweep('account', 10);
    expect(actedRows(lines)).toBe(2);
    expect((await outcome('account')).left).toEqual([3, 50, 55]);
  });
});

describe('a table referenced ON DELETE RESTRICT', () => {
  it('keeps back the rows referenced the same way', async () => {
    await createAccounts('restricted_account');
    await db.pool().query(`
      create table public.restricted_payment (id bigint primary key,
        account_id bigint not null references public.restricted_account on delete restrict);
      insert into public.restricted_payment select g, g from generate_series(5, 100, 5) g;`);
    expect(await count(`select privacy.sweep_may_skip_probe('public.restricted_account'::regclass)::int`)).toBe(1);
    const lines = await sweep('restricted_account', 10);
    expect(actedRows(lines)).toBe(80);
    expect(keptRows(lines)).toEqual({ 'referenced:public.restricted_payment': 20 });
    expect((await outcome('restricted_account')).left).toEqual(Array.from({ length: 20 }, (_, i) => 5 * (i + 1)));
  });
});

describe('where an attempt without the probe could be seen, the references are looked up first', () => {
  it('a deferred foreign key: the rows it references are kept back, the run commits', async () => {
    await createAccounts('deferred_account');
    await db.pool().query(`
      create table public.deferred_payment (id bigint primary key,
        account_id bigint not null references public.deferred_account deferrable initially deferred);
      insert into public.deferred_payment select g, g from generate_series(5, 100, 5) g;`);
    expect(await count(`select privacy.sweep_may_skip_probe('public.deferred_account'::regclass)::int`)).toBe(0);
    const lines = await sweep('deferred_account', 10);
    expect(actedRows(lines)).toBe(80);
    expect(keptRows(lines)).toEqual({ 'referenced:public.deferred_payment': 20 });
    expect(await count(`select count(*) from public.deferred_payment p
                        where not exists (select from public.deferred_account a where a.id = p.account_id)`)).toBe(0);
  });

  it('a delete trigger of the table sees only the rows deleted, never an attempt undone', async () => {
    await createAccounts('audited_account');
    await db.pool().query(`
      create sequence public.audited_deletes;
      create function public.count_delete() returns trigger language plpgsql as
        $f$ begin perform nextval('public.audited_deletes'); return old; end $f$;
      create trigger count_delete before delete on public.audited_account for each row execute function public.count_delete();
      create table public.audited_payment (id bigint primary key, account_id bigint not null references public.audited_account);
      insert into public.audited_payment select g, g from generate_series(5, 100, 5) g;`);
    expect(await count(`select privacy.sweep_may_skip_probe('public.audited_account'::regclass)::int`)).toBe(0);
    expect(actedRows(await sweep('audited_account', 10))).toBe(80);
    // A sequence is not transactional: an attempt undone by its savepoint would still have counted.
    expect(await count(`select last_value from public.audited_deletes`)).toBe(80);
  });

  it('a cascade to another table: that table\'s triggers see only the rows deleted', async () => {
    await createAccounts('cascading_account');
    await db.pool().query(`
      create sequence public.statement_deletes;
      create table public.statement (id bigint primary key, account_id bigint not null references public.cascading_account on delete cascade);
      create function public.count_statement_delete() returns trigger language plpgsql as
        $f$ begin perform nextval('public.statement_deletes'); return old; end $f$;
      create trigger count_delete before delete on public.statement for each row execute function public.count_statement_delete();
      create table public.cascading_payment (id bigint primary key, account_id bigint not null references public.cascading_account);
      insert into public.statement select g, g from generate_series(1, 100) g;
      insert into public.cascading_payment select g, g from generate_series(5, 100, 5) g;`);
    expect(await count(`select privacy.sweep_may_skip_probe('public.cascading_account'::regclass)::int`)).toBe(0);
    expect(actedRows(await sweep('cascading_account', 10))).toBe(80);
    expect(await count(`select last_value from public.statement_deletes`)).toBe(80);
    expect(await count(`select count(*) from public.statement`)).toBe(20);
  });

  it('a delete rule on the table, or a table referencing itself: never without the probe', async () => {
    await db.pool().query(`
      create table public.ruled (id bigint primary key, closed_on date not null);
      create table public.ruled_log (id bigint);
      create rule log_delete as on delete to public.ruled do also insert into public.ruled_log values (old.id);
      create table public.ruled_ref (id bigint primary key, ruled_id bigint references public.ruled);`);
    expect(await count(`select privacy.sweep_may_skip_probe('public.ruled'::regclass)::int`)).toBe(0);
    expect(await count(`select privacy.sweep_may_skip_probe('public.category'::regclass)::int`)).toBe(0);
  });
});

describe('a referencing row the application holds', () => {
  it('does not make the batch wait: the row it references is kept back, the others deleted', async () => {
    await createAccounts('locked_account');
    await db.pool().query(`
      create table public.locked_payment (id bigint primary key, account_id bigint not null references public.locked_account);
      insert into public.locked_payment values (50, 50), (75, 75);`);
    const app = new pg.Client(db.url);
    await app.connect();
    try {
      // An application transaction deleting a payment, not yet committed: the sweep sees it still
      // there, and the foreign key's check of a delete of account 50 (the only one of its batch
      // referenced) would wait for it.
      await app.query('begin');
      await app.query('delete from public.locked_payment where id = 50');
      const lines = await sweep('locked_account', 10);
      expect(lines.every((l) => l.runState !== 'failed')).toBe(true);
      expect(actedRows(lines)).toBe(98);
      expect(keptRows(lines)).toEqual({ 'referenced:public.locked_payment': 2 });
      expect(await count(`select count(*) from privacy.sweep_batch b join privacy.sweep_run r on r.id = b.run_id
                          where r.table_name = 'locked_account' and b.attempts > 1`)).toBe(0);
      await app.query('commit');
    } finally {
      await app.end();
    }
  });
});
