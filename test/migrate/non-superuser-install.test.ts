import { beforeAll, describe, expect, it } from 'vitest';
import { versionedMigrations } from '../../src/migrate/migration-files.ts';
import { migrateDown, migrateUp } from '../../src/migrate/migrator.ts';
import { asRole, createLoginRole } from '../support/login-role.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';

describe('installing without superuser', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase();
  });


  it('a role with CREATEROLE and CREATE on the database installs, is used, and uninstalls', async () => {
    const installer = await createLoginRole(db, { attributes: 'CREATEROLE' });
    await db.pool().query(`grant create on database "${db.name}" to "${installer.name}"`);
    // The group roles exist already (they are cluster-wide and the test run made them). Where the
    // installer creates them itself it holds ADMIN OPTION on them (PostgreSQL 16+ gives it to
    // the creator); grant that here so the install meets the roles as its own.
    await db.pool().query(`grant privacy_admin, privacy_masked, privacy_unmasked, privacy_sweeper, privacy_view_owner
                           to "${installer.name}" with admin option`);
    await asRole(installer, async (client) => {
      const { rows } = await client.query(`select rolsuper from pg_roles where rolname = current_user`);
      expect(rows[0].rolsuper).toBe(false);
    });

    const result = await migrateUp(installer.url);
    expect(result.versioned).toEqual(versionedMigrations().map((m) => m.name));

    const owner = await db.pool().query(`select nspowner::regrole::text as owner from pg_namespace where nspname = 'privacy'`);
    expect(owner.rows[0].owner).toBe(installer.name);

    await db.pool().query(`create table public.note (id int primary key, body text)`);
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      await client.query(`select privacy.classify_column('note', 'body', 'free_text', mask => 'redact')`);
      const { rows } = await client.query(`select actor from privacy.ledger where object = 'public.note.body'`);
      expect(rows).toEqual([{ actor: admin.name }]);
    });

    await migrateDown(installer.url, { all: true, force: true });
    const left = await db.pool().query(`select count(*)::int as n from pg_namespace where nspname = 'privacy'`);
    expect(left.rows[0].n).toBe(0);
  });
});
