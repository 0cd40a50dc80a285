import { describe, expect, it } from 'vitest';
import { runSweep } from '../../src/retention/run-sweep.ts';
import { useTestDatabase } from '../support/test-database.ts';

// The partition hand-over on a schema written without it in mind (examples/rental): payments by
// month, partitions made in place and attached later from tables of their own, foreign keys on
// some partitions only, a staging partition granted to PUBLIC.

const db = useTestDatabase('rental');

async function rows<T>(sql: string): Promise<T[]> {
  return (await db.pool().query(sql)).rows as T[];
}

describe("the rental schema's expired payment months", () => {
  it('leave payment detached concurrently and dropped, each named in the ledger; the months still kept stay', async () => {
    await db.pool().query(`select privacy.set_retention('payment', anchor => 'payment_date', keep => '6 months', action => 'delete')`);
    const expired = (await rows<{ name: string }>(`
      select format('%I.%I', n.nspname, c.relname) as name
      from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_namespace n on n.oid = c.relnamespace
      where i.inhparent = 'public.payment'::regclass
        and (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz <= now() - interval '6 months'
      order by 1`)).map((r) => r.name);
    expect(expired.length).toBeGreaterThan(1);
    const before = (await rows<{ n: number }>(`select count(*)::int as n from pg_inherits where inhparent = 'public.payment'::regclass`))[0]!.n;

    await runSweep(db.url, { table: 'payment' });

    const dropped = await rows<{ partition: string; how: string }>(`
      select detail->>'partition' as partition, detail->>'detached' as how from privacy.ledger
      where action = 'sweep.partition.drop' and object = 'public.payment' order by 1`);
    expect(dropped).toEqual(expired.map((partition) => ({ partition, how: 'concurrently' })));
    for (const name of expired) expect((await rows(`select to_regclass('${name}') as r`))[0]).toEqual({ r: null });
    const left = (await rows<{ n: number }>(`select count(*)::int as n from pg_inherits where inhparent = 'public.payment'::regclass`))[0]!.n;
    expect(left).toBe(before - expired.length);
    expect((await rows<{ n: number }>(`select count(*)::int as n from public.payment where payment_date <= now() - interval '6 months'`))[0]!.n).toBe(0);
  });
});
