import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

// Every privacy.sweep() call works its table's plan out again (privacy.retention_plan and its
// parts) and formats each batch's range, in a transaction of its own. A LANGUAGE sql function
// that PostgreSQL cannot inline (one with a FROM clause) is parsed and planned again in every
// transaction that calls it; a PL/pgSQL function's statements keep their plans for the session.
// So the functions a call runs are PL/pgSQL: the SQL ones of the toolkit are run once per run at
// most (the ledger entry at its end), never once per call or per batch.

const db = useTestDatabase('base');

describe('what one sweep call runs', () => {
  it('runs no LANGUAGE sql function of the toolkit per call or per batch', async () => {
    await db.pool().query(`
      create table public.driver (id bigint primary key);
      insert into public.driver select g from generate_series(0, 6) g;
      create table public.trip (id bigint primary key, driver_id bigint not null references public.driver, region text not null,
                                ended_at timestamptz not null, booked_on date not null);
      create table public.trip_note (id bigint primary key, trip_id bigint references public.trip);
      insert into public.trip select g, g % 7, case when g % 2 = 0 then 'north' else 'south' end,
                                     now() - interval '400 days' + g * interval '1 minute', current_date - 3000
                              from generate_series(1, 3000) g;
      insert into public.trip_note values (1, 10);
      select privacy.declare_subject_type('driver', 'driver', 'id');
      select privacy.link_subject('driver', 'trip', 'driver_id');
      select privacy.place_hold('driver', '3', 'legal_claim', review_on => current_date + 30);
      select privacy.set_retention('trip', anchor => 'ended_at', keep => '1 year', action => 'delete',
                                   minimum => 'bookkeeping', minimum_anchor => 'booked_on');
      select privacy.set_retention_options('trip', filter => '{"region": ["north", "south"]}');`);
    const client = await db.pool().connect();
    try {
      await client.query('begin');
      await client.query(`set local track_functions = 'all'`);
      let calls = 0;
      for (; calls < 50; calls++) {
        const { rows } = await client.query<{ run_state: string }>(
          `select * from privacy.sweep('trip', batch_size => 200, lock_budget => '0 s')`);
        if (rows.at(-1)?.run_state === 'done') break;
      }
      const { rows } = await client.query<{ fn: string; calls: string }>(`
        select p.oid::regprocedure::text as fn, pg_stat_get_xact_function_calls(p.oid) as calls
        from pg_catalog.pg_proc p
        where p.pronamespace = 'privacy'::regnamespace and p.prolang = (select l.oid from pg_catalog.pg_language l where l.lanname = 'sql')
          and pg_stat_get_xact_function_calls(p.oid) > 1
        order by 1`);
      const { rows: done } = await client.query<{ acted: string }>(
        `select sum(acted) as acted from privacy.sweep_batch where kind in ('range', 'pending')`);
      await client.query('commit');
      // The sweep did work over several calls and batches: what is counted ran in them.
      expect(calls).toBeGreaterThan(5);
      expect(Number(done[0]!.acted)).toBeGreaterThan(1000);
      expect(rows.map((r) => `${r.fn}: ${r.calls} calls`)).toEqual([]);
    } finally {
      client.release();
    }
  });
});
