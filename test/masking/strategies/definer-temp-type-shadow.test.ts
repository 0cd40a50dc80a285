// The attack: even under `set search_path = ''`, an unqualified type name (a PL/pgSQL variable
// declared `bytea`, a cast to `text`) is looked up in the session's pg_temp first. Any login may
// create a temporary domain named like a built-in type whose CHECK calls its own function;
// a definer function that declared `v_key bytea` would hand it the pseudonym key, running the
// caller's code with the owner's rights. The library qualifies every type.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { asRole, createLoginRole } from '../../support/login-role.ts';
import { useTestDatabase } from '../../support/test-database.ts';

const db = useTestDatabase('base');

const SHADOWED = ['text', 'name', 'bytea', 'jsonb', 'regtype', 'regprocedure', 'oid'];

/** Temporary look-alikes of built-in types that report every value they are given. */
async function shadowBuiltinTypes(client: pg.ClientBase): Promise<string[]> {
  const caught: string[] = [];
  client.on('notice', (notice) => caught.push(notice.message ?? ''));
  await client.query(`create function pg_temp.spy(v pg_catalog.text) returns boolean language plpgsql as
                        $$ begin raise notice 'caught: %', v; return true; end $$`);
  for (const type of SHADOWED) {
    await client.query(`create domain pg_temp.${type} as pg_catalog.${type} check (pg_temp.spy(value::pg_catalog.text))`);
  }
  // The trap works: an unqualified use of the type is caught.
  await client.query(`select 'probe'::text`);
  expect(caught.splice(0)).toEqual(['caught: probe']);
  return caught;
}

describe('definer_temp_type_shadow: temporary types named like built-in ones', () => {
  it('see nothing of the key when a privacy_masked login computes pseudonyms', async () => {
    const app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await asRole(app, async (client) => {
      const caught = await shadowBuiltinTypes(client);
      const { rows } = await client.query(`select privacy.mask_pseudonym('anna@example.se'::pg_catalog.text, '{}') as p,
                                                  privacy.mask_pseudonym(4711::bigint, '{}') as n,
                                                  privacy.mask_fake('anna'::pg_catalog.text, '{"kind": "email"}') as f,
                                                  privacy.minimise_scrub_text('ring 070-123 45 67'::pg_catalog.text, '{}') as s`);
      expect(rows[0].p).toMatch(/^[0-9a-f]{16}$/);
      expect(rows[0].s).toBe('ring [phone]');
      expect(caught).toEqual([]);
    });
  });

  it('see nothing when a privacy_admin login rotates the key', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      const caught = await shadowBuiltinTypes(client);
      await client.query(`select privacy.rotate_pseudonym_key()`);
      await client.query(`select privacy.strategy_call('partial', '{}', 'x', 'pg_catalog.varchar'::pg_catalog.regtype, 'mask')`);
      expect(caught).toEqual([]);
    });
  });
});
