import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

// privacy.hidden_row (migration 0007, sql/415-hidden-rows.sql) lists the rows the masked views
// leave out; triggers keep it in step with privacy.restricted_row, counting the restrictions
// that hide each row.
const db = useTestDatabase('base');

async function restrict(subjectId: string, rowId: number, client: pg.ClientBase = db.pool() as unknown as pg.ClientBase): Promise<void> {
  await client.query(`insert into privacy.restricted_row (schema_name, table_name, row_key, subject_type, subject_id, origin, row_id, reason)
                      values ('public', 'member', array[$2::text], 'member', $1, 'restriction', $2::bigint, 'test')`, [subjectId, rowId]);
}

async function lift(subjectId: string, rowId: number, client: pg.ClientBase = db.pool() as unknown as pg.ClientBase): Promise<void> {
  await client.query(`delete from privacy.restricted_row where table_name = 'member' and subject_id = $1 and row_id = $2`, [subjectId, rowId]);
}

async function hidden(): Promise<Record<string, number>> {
  const { rows } = await db.pool().query(`select row_id::int as id, refs from privacy.hidden_row where table_name = 'member' order by row_id`);
  return Object.fromEntries(rows.map((r) => [r.id, r.refs]));
}

/** The ids the masked view shows, read as its owner under tenant 1. */
async function visible(): Promise<number[]> {
  const client = await db.pool().connect();
  try {
    await client.query('begin');
    await client.query('set local role privacy_view_owner');
    await client.query(`select privacy.set_tenant('1')`);
    const { rows } = await client.query(`select id::int from masked.member order by id`);
    await client.query('commit');
    return rows.map((r) => r.id);
  } finally {
    client.release();
  }
}

/** privacy.hidden_row holds exactly the keys of privacy.restricted_row, each counted. */
async function expectInStep(): Promise<void> {
  const { rows } = await db.pool().query(`
    select (select coalesce(jsonb_object_agg(k, n), '{}') from (select schema_name || '.' || table_name || '.' || row_id as k, count(*) as n
                                                  from privacy.restricted_row group by 1) r) as restricted,
           (select coalesce(jsonb_object_agg(schema_name || '.' || table_name || '.' || row_id, refs), '{}') from privacy.hidden_row) as hidden`);
  expect(rows[0].hidden).toEqual(rows[0].restricted);
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.member (id bigint primary key, tenant int not null, name text);
    insert into public.member select g, 1, 'Member ' || g from generate_series(1, 6) g;
    select privacy.classify_column('member', c, 'not_personal') from unnest(array['id', 'tenant']) c;
    select privacy.protect_table('member', tenant_column => 'tenant');
    select privacy.declare_subject_type('member', 'member', 'id');`);
});

afterEach(async () => {
  await db.pool().query(`delete from privacy.restricted_row`);
});

describe('privacy.hidden_row', () => {
  it('keeps a row hidden until the last restriction that covers it is lifted', async () => {
    await restrict('a', 1);
    await restrict('b', 1);
    await restrict('a', 2);
    expect(await hidden()).toEqual({ 1: 2, 2: 1 });
    expect(await visible()).toEqual([3, 4, 5, 6]);
    await lift('a', 1);
    expect(await hidden()).toEqual({ 1: 1, 2: 1 });
    expect(await visible()).toEqual([3, 4, 5, 6]);
    await lift('b', 1);
    expect(await hidden()).toEqual({ 2: 1 });
    expect(await visible()).toEqual([1, 3, 4, 5, 6]);
    await expectInStep();
  });

  it('counts many restrictions written in one statement, and follows updates and truncation', async () => {
    await db.pool().query(`insert into privacy.restricted_row (schema_name, table_name, row_key, subject_type, subject_id, origin, row_id, reason)
                           select 'public', 'member', array[g::text], 'member', s, 'erasure', g, 'test'
                           from generate_series(1, 4) g, unnest(array['x', 'y']) s`);
    expect(await hidden()).toEqual({ 1: 2, 2: 2, 3: 2, 4: 2 });
    await db.pool().query(`update privacy.restricted_row set reason = 'still kept' where subject_id = 'x'`);
    expect(await hidden()).toEqual({ 1: 2, 2: 2, 3: 2, 4: 2 });
    await db.pool().query(`update privacy.restricted_row set row_id = 5, row_key = array['5'] where subject_id = 'y' and row_id = 4`);
    expect(await hidden()).toEqual({ 1: 2, 2: 2, 3: 2, 4: 1, 5: 1 });
    await expectInStep();
    await db.pool().query(`truncate privacy.restricted_row`);
    expect(await hidden()).toEqual({});
    expect(await visible()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('stays in step when one transaction lifts the last restriction of a row while another adds one, in either order', async () => {
    const first = new pg.Client(db.url);
    const second = new pg.Client(db.url);
    await first.connect();
    await second.connect();
    try {
      const secondPid: number = (await second.query('select pg_backend_pid() as pid')).rows[0].pid;
      const waitsForLock = async () => {
        for (let i = 0; i < 200; i++) {
          const { rows } = await db.pool().query(`select wait_event_type from pg_stat_activity where pid = $1`, [secondPid]);
          if (rows[0]?.wait_event_type === 'Lock') return true;
          await new Promise((r) => setTimeout(r, 25));
        }
        return false;
      };
      for (const liftFirst of [true, false]) {
        await restrict('a', 3);
        await first.query('begin');
        await second.query('begin');
        const [one, two] = liftFirst
          ? [() => lift('a', 3, first), () => restrict('b', 3, second)]
          : [() => restrict('b', 3, first), () => lift('a', 3, second)];
        await one();
        const blocked = two();
        expect(await waitsForLock()).toBe(true);
        await first.query('commit');
        await blocked;
        await second.query('commit');
        expect(await hidden()).toEqual({ 3: 1 });
        expect(await visible()).toEqual([1, 2, 4, 5, 6]);
        await expectInStep();
        await db.pool().query(`delete from privacy.restricted_row`);
      }
    } finally {
      await first.end();
      await second.end();
    }
  });

  it('privacy.verify() finds restricted rows the views would show when the counting is switched off, and rebuild_hidden_rows() repairs it', async () => {
    const findings = async () => (await db.pool().query(
      `select severity, object, message from privacy.verify() where check_name = 'restricted_row_not_hidden'`)).rows;
    await restrict('a', 4);
    expect(await findings()).toEqual([]);
    await db.pool().query(`alter table privacy.restricted_row disable trigger hidden_row_insert`);
    try {
      await restrict('a', 5);
      await restrict('a', 6);
    } finally {
      await db.pool().query(`alter table privacy.restricted_row enable trigger hidden_row_insert`);
    }
    expect(await visible()).toEqual([1, 2, 3, 5, 6]);
    expect(await findings()).toEqual([{ severity: 'high', object: 'public.member',
      message: '2 restricted rows are not in privacy.hidden_row, so masked views show them: select privacy.rebuild_hidden_rows()' }]);
    const { rows } = await db.pool().query(`select privacy.rebuild_hidden_rows() as n`);
    expect(rows[0].n).toBe('3');
    expect(await findings()).toEqual([]);
    expect(await visible()).toEqual([1, 2, 3]);
    await expectInStep();
  });

  it('privacy.verify() names a table whose hidden rows every masked read, a key lookup included, hashes first', async () => {
    const client = await db.pool().connect();
    try {
      await client.query('begin');
      await client.query(`insert into privacy.hidden_row (schema_name, table_name, row_id, refs)
                          select 'public', 'member', 1000000 + i, 1 from generate_series(1, 1000) i`);
      const finding = `select severity, object, message from privacy.verify() where check_name = 'hidden_rows_per_statement'`;
      expect((await client.query(finding)).rowCount).toBe(0);
      await client.query(`insert into privacy.hidden_row (schema_name, table_name, row_id, refs) values ('public', 'member', 3000000, 1)`);
      await client.query('analyze privacy.hidden_row');
      // What the finding is about: a lookup of one row by its key hashes the table's hidden keys.
      const plan = (await client.query(`explain (costs off) select * from masked.member where id = 1`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/hashed SubPlan/);
      expect((await client.query(finding)).rows).toEqual([{ severity: 'low', object: 'public.member',
        message: expect.stringMatching(/^1001 hidden rows: every read through the masked view, a key lookup included, first builds a hash of all of them/) }]);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('privacy.verify() names a table with more hidden rows than a hash in work_mem holds, where masked reads test each row against every one', async () => {
    const client = await db.pool().connect();
    try {
      await client.query('begin');
      // 64 kB times hash_mem_multiplier holds 4,096 keys at most (32 bytes each); 5,000 do not fit.
      await client.query(`set local work_mem = '64kB'; set local hash_mem_multiplier = 2`);
      await client.query(`insert into privacy.hidden_row (schema_name, table_name, row_id, refs)
                          select 'public', 'member', 1000000 + i, 1 from generate_series(1, 5000) i`);
      await client.query('analyze privacy.hidden_row');
      // What the finding is about: the planner then reads the keys again for every row.
      const plan = (await client.query(`explain (costs off) select count(*) from masked.member`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/SubPlan/);
      expect(plan).not.toMatch(/hashed SubPlan/);
      const { rows } = await client.query(`select severity, object, message from privacy.verify() where check_name = 'hidden_rows_not_hashed'`);
      expect(rows).toEqual([{ severity: 'medium', object: 'public.member', message: expect.stringMatching(
        /^5000 hidden rows: more than work_mem \(64kB\) times hash_mem_multiplier \(2\) holds, .*alter role … set work_mem = '1024 kB'/) }]);
      // With room for them, no finding.
      await client.query(`set local work_mem = '1MB'`);
      expect((await client.query(`select from privacy.verify() where check_name = 'hidden_rows_not_hashed'`)).rowCount).toBe(0);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
