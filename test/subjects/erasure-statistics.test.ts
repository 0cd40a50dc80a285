// Erasures one after another must not slow down as privacy.erased_row fills up. The statistics
// of erased_row are those of its last ANALYZE (autovacuum runs it now and then): a table none of
// whose rows were erased before looks to the planner as if it had no erased row. The erasure's
// test "not erased before" must then still probe erased_row's primary key for each row of the
// subject, never read all the erased rows of the table once for each of them (as an anti-join
// over a materialized scan did: the 40th device of a benchmark took seconds, and as long again
// with nothing left to do).
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';
import { applyReferencePolicy } from './subject-fixtures.ts';

const db = useTestDatabase('tracking');

beforeAll(async () => {
  await applyReferencePolicy(db);
});

describe('erasing devices one after another, with erased_row analyzed before any of their positions was erased', () => {
  it('each erasure statement probes erased_row by the row\'s key, per row', async () => {
    const client = await db.pool().connect();
    try {
      // Statistics that know of erased rows of another table only.
      await client.query(`insert into privacy.erased_row (schema_name, table_name, row_key)
                            select 'public', 'elsewhere', array[i::text] from generate_series(1, 500) i`);
      await client.query('analyze privacy.erased_row');
      const { rows: devices } = await client.query<{ id: string }>(`
        select d.id::text from public.device d where (select count(*) from public.position p where p.device_id = d.id) >= 20
        order by d.id limit 2`);
      expect(devices).toHaveLength(2);
      await client.query(`select privacy.erase_subject('device', $1, 'test')`, [devices[0]!.id]);
      // The statements of the erasure, prepared in this session: their plans for the next device.
      const { rows: statements } = await client.query<{ name: string; statement: string }>(`
        select name, statement from pg_prepared_statements where statement like '%privacy.erased_row as %'`);
      const anonymizing = statements.filter((s) => /update public\."position"/.test(s.statement));
      expect(anonymizing.length).toBeGreaterThan(0);
      for (const s of statements) {
        const plan = (await client.query(`explain (costs off) execute ${s.name}(${client.escapeLiteral(devices[1]!.id)})`))
          .rows.map((r) => r['QUERY PLAN'] as string).join('\n');
        const reads = plan.split('\n').filter((line) => /on erased_row\b/.test(line) && !/(Insert|Delete) on/.test(line));
        expect(reads.length, plan).toBeGreaterThan(0);
        for (const line of reads) expect(line, plan).toMatch(/Index (Only )?Scan using erased_row_pkey on erased_row/);
        expect(plan).toMatch(/Index Cond: \(.*row_key = /);
      }
    } finally {
      await client.query(`delete from privacy.erased_row where table_name = 'elsewhere'`);
      client.release();
    }
  });
});
