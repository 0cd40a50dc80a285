import { beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp, migrationStatus } from '../../src/migrate/migrator.ts';
import { startSweepWorker } from '../../src/worker/sweep-worker.ts';
import { createLoginRole } from '../support/login-role.ts';
import { toolkitSnapshot } from '../support/schema-snapshot.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';
import { query, useTheToolkit, value } from './toolkit-in-use.ts';

/** Everything of the toolkit the database still has, as a list of what is left (empty: nothing). */
async function leftovers(url: string): Promise<string[]> {
  const rows = await query<{ what: string }>(url, `
    select 'schema ' || nspname as what from pg_namespace where nspname in ('privacy', 'masked', 'integritet_boss')
    union all select 'policy ' || policyname from pg_policies where policyname like 'privacy\\_%'
    union all select 'trigger ' || tgname from pg_trigger where tgname like 'privacy\\_%' and not tgisinternal
    union all select 'event trigger ' || evtname from pg_event_trigger where evtname like 'privacy\\_%'
    union all select 'row level security on ' || relname from pg_class where relname = 'member' and relrowsecurity
    union all select 'index ' || indexrelid::regclass::text from pg_index where indrelid = 'public.member'::regclass and not indisprimary
    union all select 'grant to ' || grantee from information_schema.role_table_grants
              where table_name = 'member' and grantee like 'privacy\\_%'
    order by 1`);
  return rows.map((r) => r.what);
}

describe('uninstalling a toolkit in use (superuser install, with its event trigger)', () => {
  let db: TestDatabase, fresh: TestDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase();
    fresh = await createScratchDatabase();
    await migrateUp(fresh.url);
    await migrateUp(db.url);
    await useTheToolkit(db.url);
    // A worker that ran: its pg-boss schema, with the schedule of the retention policy.
    const worker = await startSweepWorker({ databaseUrl: db.url, refreshSchedulesSeconds: 3600 });
    await worker.stop();
  }, 60_000);

  it('the install is the kind this matrix row is about: the event trigger is there, and so are the worker\'s queue and a restriction', async () => {
    expect(await value(db.url, `select count(*)::int from pg_event_trigger where evtname = 'privacy_sync_after_ddl'`)).toBe(1);
    expect(await value(db.url, `select to_regclass('integritet_boss.job') is not null`)).toBe(true);
    expect(await value(db.url, `select count(*)::int from privacy.restricted_row`)).toBeGreaterThan(0);
  });

  it('down --all without --force refuses, names what it would drop with counts, and reverts nothing', async () => {
    const before = await toolkitSnapshot(db.url);
    const refusal = await migrateDown(db.url, { all: true }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ name: 'MigrationError', code: 'LEGAL_STATE_WOULD_BE_DROPPED' });
    const message = (refusal as Error).message;
    expect(message).toMatch(/\d+ ledger entries/);
    expect(message).toContain('1 hold,');
    expect(message).toContain('1 restricted row,');
    expect(message).toContain('1 subject request;');
    expect((refusal as { hint: string }).hint).toContain('integritet ledger export');
    expect(await toolkitSnapshot(db.url)).toBe(before);
  });

  it('a step that fails reverts nothing, the steps before it in the run included', async () => {
    // A DBA's own event trigger that refuses to let privacy.erased_row go (reverting 0005).
    await query(db.url, `
      create function public.keep_erased_rows() returns event_trigger language plpgsql as $$
      begin
        if exists (select from pg_event_trigger_dropped_objects() where object_identity = 'privacy.erased_row') then
          raise exception 'privacy.erased_row is audited here';
        end if;
      end $$;
      create event trigger keep_erased_rows on sql_drop execute function public.keep_erased_rows();`);
    const before = await toolkitSnapshot(db.url);
    const restricted = await value<number>(db.url, `select count(*)::int from privacy.hidden_row`);
    try {
      await expect(migrateDown(db.url, { all: true, force: true }))
        .rejects.toMatchObject({ code: 'MIGRATION_FAILED', object: '0005-subjects (down)' });
    } finally {
      await query(db.url, `drop event trigger keep_erased_rows; drop function public.keep_erased_rows()`);
    }
    expect(await toolkitSnapshot(db.url)).toBe(before);
    expect((await migrationStatus(db.url)).filter((s) => s.state !== 'applied')).toEqual([]);
    expect(await value(db.url, `select count(*)::int from privacy.hidden_row`)).toBe(restricted);
  });

  it('down --all --force removes every object of the toolkit, on the user\'s tables and the worker\'s queue included', async () => {
    const result = await migrateDown(db.url, { all: true, force: true });
    expect(result.versioned.at(-1)).toBe('0001-privacy-catalog');
    expect(await leftovers(db.url)).toEqual([]);
    // The user's data stays, as the user's own table.
    expect(await value(db.url, `select count(*)::int from public.member`)).toBeGreaterThan(0);
  });

  it('up afterwards gives the schema of a fresh install', async () => {
    await migrateUp(db.url);
    expect(await toolkitSnapshot(db.url)).toEqual(await toolkitSnapshot(fresh.url));
  });
});

describe('downgrading step by step on a superuser install in use', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase();
    await migrateUp(db.url);
    await useTheToolkit(db.url);
  });

  it('every single step down works with masks, restrictions and the event trigger in place, and up restores it', async () => {
    const steps = (await migrationStatus(db.url)).filter((s) => s.kind === 'versioned').map((s) => s.name).reverse();
    for (const step of steps.slice(0, -1)) {
      const done = await migrateDown(db.url, { force: true });
      expect(done.versioned).toEqual([step]);
      // The user's schema can still change in between, with the event trigger in place.
      await query(db.url, `alter table public.member add column ${'note_' + step.slice(0, 4)} text`);
    }
    await migrateUp(db.url);
    expect(await query(db.url, `select severity, check_name from privacy.verify() where check_name like 'masked_view%'`)).toEqual([]);
  });
});

describe('a masked pseudonym column across the down of 0003, which takes the key away', () => {
  it('keeps its masked view (NULL pseudonyms, as with no key) down to 0002, and up gives the pseudonyms back', async () => {
    const db = await createScratchDatabase();
    await migrateUp(db.url);
    await query(db.url, `
      create table public.card (id int primary key, holder text);
      insert into public.card values (1, 'Anna');
      select privacy.classify_column('card', 'id', 'not_personal');
      select privacy.classify_column('card', 'holder', 'identifier', mask => 'pseudonym');
      select privacy.protect_table('card');`);
    const pseudonym = `select privacy.mask_pseudonym('Anna'::text, '{}')`;
    expect(await value(db.url, `select holder from masked.card`)).toBe(await value(db.url, pseudonym));

    await migrateDown(db.url, { to: '0003-strategies', force: true });
    expect(await value(db.url, `select to_regclass('privacy.pseudonym_key') is null`)).toBe(true);
    expect(await query(db.url, `select id, holder from masked.card`)).toEqual([{ id: 1, holder: null }]);

    await migrateUp(db.url);
    expect(await value(db.url, `select holder from masked.card`)).toMatch(/^[0-9a-f]{16}$/);
    expect(await value(db.url, `select holder from masked.card`)).toBe(await value(db.url, pseudonym));
  });
});

describe('uninstalling a non-superuser install in use', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase();
  });

  it('installs, is used, uninstalls with nothing left, and the installer is a member of no more roles than before', async () => {
    const installer = await createLoginRole(db, { attributes: 'CREATEROLE' });
    await db.pool().query(`grant create on database "${db.name}" to "${installer.name}"`);
    await db.pool().query(`grant create on schema public to "${installer.name}"`);
    const major = Math.floor(Number(await value<string>(db.url, `select current_setting('server_version_num')`)) / 10000);
    // From PostgreSQL 16 on, CREATEROLE grants only roles it holds ADMIN OPTION on (a creator
    // gets it): grant that, as it would be had the installer made the roles. On 15 it grants
    // itself privacy_view_owner (migration 0002), and the uninstall must take that back.
    if (major >= 16) {
      await db.pool().query(`grant privacy_admin, privacy_masked, privacy_unmasked, privacy_sweeper, privacy_view_owner
                             to "${installer.name}" with admin option`);
    }
    const memberships = `select coalesce(array_agg(roleid::regrole::text order by 1), '{}') from pg_auth_members
                         where member = '${installer.name}'::regrole`;
    const before = await value<string[]>(db.url, memberships);
    await migrateUp(installer.url);
    expect(await value(db.url, `select count(*)::int from pg_event_trigger where evtname = 'privacy_sync_after_ddl'`)).toBe(0);
    await useTheToolkit(installer.url);
    await migrateDown(installer.url, { all: true, force: true });
    expect(await leftovers(db.url)).toEqual([]);
    expect(await value<string[]>(db.url, memberships)).toEqual(before);
  });
});
