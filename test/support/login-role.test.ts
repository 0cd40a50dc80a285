import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { asRole, createLoginRole } from './login-role.ts';
import { useTestDatabase } from './test-database.ts';
import { uniqueName } from './unique-name.ts';

describe('a login role made by a test', () => {
  const db = useTestDatabase('empty');

  it('connects as itself over its own connection, without superuser rights', async () => {
    const role = await createLoginRole(db);
    const identity = await asRole(role, async (client) => {
      const { rows } = await client.query('select session_user, current_user, current_database() as db');
      return rows[0];
    });
    expect(identity).toEqual({ session_user: role.name, current_user: role.name, db: db.name });
    await expect(asRole(role, (client) => client.query('create role it_never_made'))).rejects.toMatchObject({ code: '42501' });
  });

  it('is a member of the groups it was given and is gone after drop(), with what it owned', async () => {
    const admin = db.pool();
    const group = uniqueName('it_group');
    await admin.query(`create role ${group} nologin`);
    try {
      const role = await createLoginRole(db, { memberOf: [group] });
      await admin.query(`grant create on schema public to ${role.name}`);
      await asRole(role, async (client) => {
        const { rows } = await client.query('select pg_has_role(session_user, $1, \'member\') as member', [group]);
        expect(rows).toEqual([{ member: true }]);
        await client.query('create table owned_by_role (id int)');
      });
      await role.drop();
      await role.drop();
      const roles = await admin.query('select 1 from pg_roles where rolname = $1', [role.name]);
      expect(roles.rowCount).toBe(0);
      const tables = await admin.query("select to_regclass('public.owned_by_role') as found");
      expect(tables.rows).toEqual([{ found: null }]);
      await expect(new pg.Client(role.url).connect()).rejects.toThrow();
    } finally {
      await admin.query(`drop role if exists ${group}`);
    }
  });
});
