import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { createLoginRole } from '../support/login-role.ts';
import { createScratchDatabase, useTestDatabase, type TestDatabase } from '../support/test-database.ts';

// The append-only trigger stops the ledger's owner and every role of the toolkit
// (test/catalog/ledger-append-only.test.ts). A superuser can step past it: with
// session_replication_role = replica, or by disabling the trigger. The hash chain makes every
// such change visible afterwards, to privacy.verify_ledger() and `integritet ledger verify`.

interface Problem {
  problem: string;
  chain_seq: string | null;
  ledger_id: string | null;
}

async function problems(db: TestDatabase): Promise<Problem[]> {
  const { rows } = await db.pool().query<Problem>('select problem, chain_seq::text, ledger_id::text from privacy.verify_ledger()');
  return rows;
}

function ledgerVerify(url: string) {
  const run = spawnSync(process.execPath, ['bin/integritet.js', 'ledger', 'verify'],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: url } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A few entries of every kind the toolkit writes: declarations, a hold, a sweep. */
async function writeEntries(db: TestDatabase): Promise<void> {
  await db.pool().query(`
    create table public.visit (id bigint primary key, at timestamptz not null, note text);
    insert into public.visit select g, now() - interval '100 days', 'n' from generate_series(1, 50) g;
    select privacy.classify_column('visit', 'note', 'contact', mask => 'redact', anonymize => 'redact');
    select privacy.set_retention('visit', anchor => 'at', keep => '90 days', action => 'delete');
    select privacy.declare_subject_type('visitor', 'visit', 'id');
    select privacy.place_hold('visitor', '1', 'legal_claim', review_on => current_date + 10);
    select privacy.release_hold((select max(id) from privacy.hold));`);
  const { rows } = await db.pool().query<{ n: number }>('select count(*)::int as n from privacy.ledger');
  expect(rows[0]!.n).toBeGreaterThan(5);
}

/** Runs `sql` as the superuser with the append-only trigger out of the way, as an attacker would. */
async function asSuperuserPastTheTrigger(db: TestDatabase, sql: string, how: 'replica' | 'disable' = 'replica'): Promise<void> {
  const client = new pg.Client(db.url);
  await client.connect();
  try {
    await client.query('begin');
    if (how === 'replica') await client.query('set local session_replication_role = replica');
    else await client.query('alter table privacy.ledger disable trigger ledger_no_update_or_delete');
    await client.query(sql);
    if (how === 'disable') await client.query('alter table privacy.ledger enable trigger ledger_no_update_or_delete');
    await client.query('commit');
  } finally {
    await client.end();
  }
}

describe('an intact ledger', () => {
  const db = useTestDatabase('base');

  it('verifies, with its head hash, as a privacy_admin login', async () => {
    await writeEntries(db);
    expect(await problems(db)).toEqual([]);
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    const run = ledgerVerify(admin.url);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ledger intact: \d+ entries, chain head \d+ sha256:[0-9a-f]{64}\n$/);
  });

  it('stays one unbroken chain with many writers at once', async () => {
    const writers = Array.from({ length: 6 }, async (_, w) => {
      const client = new pg.Client(db.url);
      await client.connect();
      try {
        for (let i = 0; i < 20; i++) {
          await client.query(`select privacy.place_hold('visitor', $1, 'legal_claim', review_on => current_date + 10)`, [String(((w * 20 + i) % 50) + 1)]);
        }
      } finally {
        await client.end();
      }
    });
    await Promise.all(writers);
    expect(await problems(db)).toEqual([]);
    const { rows } = await db.pool().query<{ n: number; max: number; min: number }>(
      'select count(*)::int as n, max(chain_seq)::int as max, min(chain_seq)::int as min from privacy.ledger');
    expect(rows[0]).toEqual({ n: rows[0]!.max, max: rows[0]!.n, min: 1 });
  });
});

describe('a superuser who alters an entry (session_replication_role = replica)', () => {
  const db = useTestDatabase('base');

  it('is found: the entry no longer matches its hash', async () => {
    await writeEntries(db);
    const { rows: [victim] } = await db.pool().query<{ id: string; chain_seq: string }>(
      `select id::text, chain_seq::text from privacy.ledger where action = 'hold.insert' order by id limit 1`);
    await asSuperuserPastTheTrigger(db, `update privacy.ledger set object = 'nothing to see' where id = ${victim!.id}`);
    expect(await problems(db)).toEqual([{ problem: 'altered', chain_seq: victim!.chain_seq, ledger_id: victim!.id }]);
    const run = ledgerVerify(db.url);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`altered\\s+${victim!.chain_seq}\\s+${victim!.id}\\s+entry ${victim!.id}`));
    expect(run.stdout).toContain('ledger tampered with: 1 break in the hash chain');
  });

  it('is found even when the hashes are recomputed for the altered entry', async () => {
    // The attacker knows the formula and fixes the entry's own hash: the next entry's link breaks.
    const { rows: [victim] } = await db.pool().query<{ id: string; chain_seq: string }>(
      `select id::text, chain_seq::text from privacy.ledger where action = 'retention_policy.insert' order by id limit 1`);
    await asSuperuserPastTheTrigger(db, `
      update privacy.ledger set detail = '{}',
             entry_hash = privacy.ledger_entry_hash(prev_hash, chain_seq, id, at, actor, acting_role, action, object, '{}')
       where id = ${victim!.id}`);
    const found = await problems(db);
    expect(found).toContainEqual({ problem: 'broken_link', chain_seq: String(Number(victim!.chain_seq) + 1), ledger_id: expect.any(String) });
    expect(found.filter((p) => p.chain_seq === victim!.chain_seq)).toEqual([]);
  });
});

describe('a superuser who deletes entries (append-only trigger disabled)', () => {
  const db = useTestDatabase('base');

  it('is found, in the middle of the chain and at its end', async () => {
    await writeEntries(db);
    const { rows: [middle] } = await db.pool().query<{ chain_seq: string }>(
      `select chain_seq::text from privacy.ledger where action = 'retention_policy.insert' limit 1`);
    await asSuperuserPastTheTrigger(db, `delete from privacy.ledger where chain_seq = ${middle!.chain_seq}`, 'disable');
    expect((await problems(db)).map((p) => [p.problem, p.chain_seq])).toEqual([['missing', String(Number(middle!.chain_seq) + 1)]]);

    await asSuperuserPastTheTrigger(db, 'delete from privacy.ledger where chain_seq = (select max(chain_seq) from privacy.ledger)', 'disable');
    expect((await problems(db)).map((p) => p.problem)).toEqual(['missing', 'missing_tail']);
  });
});

describe('a superuser who reorders entries', () => {
  const db = useTestDatabase('base');

  it('is found: swapped places no longer match their hashes or links', async () => {
    await writeEntries(db);
    await asSuperuserPastTheTrigger(db, `
      update privacy.ledger set chain_seq = -chain_seq where chain_seq in (2, 3);
      update privacy.ledger set chain_seq = 5 - (-chain_seq) where chain_seq in (-2, -3);`);
    const found = await problems(db);
    expect(found.filter((p) => p.problem === 'altered').map((p) => p.chain_seq).sort()).toEqual(['2', '3']);
    expect(found.some((p) => p.problem === 'broken_link')).toBe(true);
  });
});

describe('a superuser who slips an entry in past the chain', () => {
  const db = useTestDatabase('base');

  it('is found: the entry is not in the chain', async () => {
    await writeEntries(db);
    await asSuperuserPastTheTrigger(db, `insert into privacy.ledger (action, object) values ('reveal', 'forged')`);
    const found = await problems(db);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ problem: 'unchained', chain_seq: null });
  });
});

describe('entries written before the chain existed', () => {
  it('are chained in the order they were written by the migration that adds the chain', async () => {
    const db = await createScratchDatabase();
    await migrateUp(db.url, { to: '0007-hidden-rows' });
    await db.pool().query(`
      insert into privacy.ledger (action, object, detail)
      select 'sweep', 'public.t' || g, jsonb_build_object('rows', g) from generate_series(1, 30) g`);
    await migrateUp(db.url);
    expect(await problems(db)).toEqual([]);
    const { rows } = await db.pool().query<{ ordered: boolean }>(
      `select bool_and(chain_seq = rn) as ordered
         from (select chain_seq, row_number() over (order by id) as rn from privacy.ledger) x`);
    expect(rows[0]!.ordered).toBe(true);
  });
});
