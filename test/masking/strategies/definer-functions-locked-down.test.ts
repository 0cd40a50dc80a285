// The attack: a SECURITY DEFINER function runs with its owner's rights. If it trusted the
// caller's search_path, a caller could slip in look-alike objects; if PUBLIC could execute it,
// any login could. Guarantee 8 of DESIGN.md, checked for the whole privacy schema.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.ts';
import { column } from './scalar.ts';

const db = useTestDatabase('base');

describe('definer functions in the privacy schema', () => {
  it('exist (the check below is not vacuous)', async () => {
    const names = await column<string>(db.pool(),
      `select p.oid::regprocedure::text as value from pg_proc p where p.pronamespace = 'privacy'::regnamespace and p.prosecdef`);
    expect(names).toEqual(expect.arrayContaining([
      'privacy.pseudonym_hmac(text)', 'privacy.rotate_pseudonym_key()',
      'privacy.register_strategy(text,text,text,jsonb,text)', 'privacy.classify_column(text,text,text,text,jsonb,text,jsonb)',
    ]));
  });

  it('all pin their search_path to an empty one or pg_catalog, pg_temp', async () => {
    const unpinned = await column<string>(db.pool(), `
      select p.oid::regprocedure::text || ' ' || coalesce(p.proconfig::text, 'no SET') as value
      from pg_proc p
      where p.pronamespace = 'privacy'::regnamespace and p.prosecdef
        and not exists (select from unnest(p.proconfig) c
                        where c in ('search_path=""', 'search_path=pg_catalog, pg_temp', 'search_path=pg_catalog,pg_temp'))`);
    expect(unpinned).toEqual([]);
  });

  it('none is executable by PUBLIC', async () => {
    const open = await column<string>(db.pool(), `
      select p.oid::regprocedure::text as value from pg_proc p
      where p.pronamespace = 'privacy'::regnamespace and p.prosecdef and has_function_privilege('public', p.oid, 'execute')`);
    expect(open).toEqual([]);
  });
});

describe('every function in the privacy schema', () => {
  it('is closed to PUBLIC, definer or not', async () => {
    const open = await column<string>(db.pool(), `
      select p.oid::regprocedure::text as value from pg_proc p
      where p.pronamespace = 'privacy'::regnamespace and has_function_privilege('public', p.oid, 'execute')`);
    expect(open).toEqual([]);
  });

  it('of the strategy library has a comment saying what it does', async () => {
    const bare = await column<string>(db.pool(), `
      select p.oid::regprocedure::text as value from pg_proc p
      where p.pronamespace = 'privacy'::regnamespace
        and p.proname ~ '^(mask|anonymize|minimise|param|fake|hmac|pseudonym|strategy|register|rotate)_'
        and coalesce(obj_description(p.oid, 'pg_proc'), '') = ''`);
    expect(bare).toEqual([]);
  });
});
