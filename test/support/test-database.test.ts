import { beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, useTestDatabase, type TestDatabase } from './test-database.ts';

describe('each test file gets databases of its own', () => {
  const mine = useTestDatabase('empty');
  const other = useTestDatabase('empty');
  let scratch: TestDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
  });

  it('a table made in one clone does not exist in another clone of the same template', async () => {
    await mine.pool().query('create table only_here (id int)');
    const { rows } = await other.pool().query("select to_regclass('public.only_here') as found");
    expect(rows).toEqual([{ found: null }]);
    expect(mine.name).not.toBe(other.name);
  });

  it('a scratch database is empty, and its pool connects to it as superuser', async () => {
    const { rows } = await scratch.pool().query('select current_database() as name, rolsuper from pg_roles where rolname = current_user');
    expect(rows).toEqual([{ name: scratch.name, rolsuper: true }]);
    const tables = await scratch.pool().query("select count(*)::int as n from pg_class where relnamespace = 'public'::regnamespace");
    expect(tables.rows).toEqual([{ n: 0 }]);
    expect(new URL(scratch.url).pathname).toBe(`/${scratch.name}`);
    expect(new URL(scratch.adminUrl).pathname).toBe('/postgres');
  });
});
