import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp } from '../../src/migrate/migrator.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';
import { declareMembers, query, useTheToolkit, value } from './toolkit-in-use.ts';

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/integritet.js', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The members the application reads through the masked view, as privacy_view_owner in tenant 1. */
async function visibleMembers(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(`set local role privacy_view_owner`);
    await client.query(`select privacy.set_tenant('1')`);
    const { rows } = await client.query<{ id: string }>('select id from masked.member order by id');
    await client.query('rollback');
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

describe('integritet ledger export and import: legal records survive an uninstall', () => {
  let db: TestDatabase;
  let file: string;
  let before: { ledger: number; visible: string[]; holds: unknown[]; requests: unknown[] };
  beforeAll(async () => {
    db = await createScratchDatabase();
    await migrateUp(db.url);
    await useTheToolkit(db.url);
    file = join(mkdtempSync(join(tmpdir(), 'integritet-')), 'legal-state.json');
    before = {
      ledger: await value<number>(db.url, 'select count(*)::int from privacy.ledger'),
      visible: await visibleMembers(db.url),
      holds: await query(db.url, 'select id, subject_type, subject_id, reason, review_on, released_at from privacy.hold order by id'),
      requests: await query(db.url, 'select id, kind, subject_id, deadline, status from privacy.subject_request order by id'),
    };
  }, 60_000);

  it('export writes every ledger entry, hold, restriction and request to a file', () => {
    const run = cli(['ledger', 'export', '--out', file, '--database-url', db.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Wrote .*legal-state\.json \(ledger entries: \d+, holds: 1, restricted rows: 1, subject requests: 1\)/);
    const state = JSON.parse(readFileSync(file, 'utf8'));
    expect(state).toMatchObject({ format: 'integritet-legal-state', version: 1 });
    expect(state.ledger).toHaveLength(before.ledger);
  });

  it('after uninstall, a new install and the policy, import restores them: the restricted member stays hidden, the hold holds', async () => {
    expect(before.visible).not.toContain('1');
    await migrateDown(db.url, { all: true, force: true });
    await migrateUp(db.url);
    await declareMembers(db.url);
    // Without the restored restriction the application would see member 1 again.
    expect(await visibleMembers(db.url)).toContain('1');
    const newInstall = await value<number>(db.url, 'select count(*)::int from privacy.ledger');

    const run = cli(['ledger', 'import', file, '--database-url', db.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/restricted rows\s+1/);

    expect(await visibleMembers(db.url)).toEqual(before.visible);
    expect(await query(db.url, 'select id, subject_type, subject_id, reason, review_on, released_at from privacy.hold order by id'))
      .toEqual(before.holds);
    expect(await query(db.url, 'select id, kind, subject_id, deadline, status from privacy.subject_request order by id'))
      .toEqual(before.requests);
    // The old entries follow the new install's own, after one that says where they come from.
    expect(await value<number>(db.url, 'select count(*)::int from privacy.ledger')).toBe(newInstall + 1 + before.ledger);
    expect(await value<string>(db.url, `select action from privacy.ledger order by id offset ${newInstall} limit 1`)).toBe('ledger.import');
    // A member under a hold cannot be erased: the restored hold is in force.
    const erased = await query<{ outcome: string }>(db.url, `select outcome from privacy.erase_subject('member', '3', 'again')`);
    expect(erased.map((r) => r.outcome).join(' ')).toMatch(/restrict|kept|held/);
    // New holds and requests get new ids, after the restored ones.
    const next = await value<string>(db.url, `select privacy.place_hold('member', '5', 'legal_claim', review_on => current_date + 1)`);
    expect(Number(next)).toBeGreaterThan(Math.max(...before.holds.map((h) => Number((h as { id: string }).id))));
  });

  it('import refuses a second time, into a database that has such records, and changes nothing', async () => {
    const ledger = await value<number>(db.url, 'select count(*)::int from privacy.ledger');
    const run = cli(['ledger', 'import', file, '--database-url', db.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('restored into a new install only');
    expect(await value<number>(db.url, 'select count(*)::int from privacy.ledger')).toBe(ledger);
  });
});
