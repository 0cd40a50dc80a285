import { spawn } from 'node:child_process';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { readManifest, recordManifest } from '../../src/migrate/object-manifest.ts';
import { snapshotToolkitObjects } from '../../src/migrate/toolkit-objects.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';

function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/integritet.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('two migrate up processes at once', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase();
  });


  it('both succeed and every step is applied exactly once', async () => {
    const [a, b] = await Promise.all([
      cli(['migrate', 'up', '--database-url', db.url]),
      cli(['migrate', 'up', '--database-url', db.url]),
    ]);
    expect(a, a.output).toMatchObject({ code: 0 });
    expect(b, b.output).toMatchObject({ code: 0 });
    // Each step was applied by one of them; the other waited for it and found it done.
    const applied = [a.output, b.output].flatMap((o) => o.split('\n')).filter((l) => l.startsWith('applied '));
    expect(applied.filter((l) => l === 'applied 0001-privacy-catalog')).toHaveLength(1);
    expect(new Set(applied).size).toBe(applied.length);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      // Reference data is inserted once: one ledger entry per built-in strategy, not two.
      const { rows } = await client.query(
        `select (select count(*)::int from privacy.ledger where action = 'strategy.insert') as logged,
                (select count(*)::int from privacy.strategy) as strategies`);
      expect(rows[0].logged).toBe(rows[0].strategies);
    } finally {
      await client.end();
    }
  });
});

describe('two migration runs recording what is installed at the same moment', () => {
  it('record one after the other: the second does not insert over the rows the first inserted', async () => {
    const db = await createScratchDatabase();
    await migrateUp(db.url);
    const open = async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      return client;
    };
    const [holder, a, b] = [await open(), await open(), await open()];
    try {
      const installed = await snapshotToolkitObjects(a);
      const before = (await readManifest(a))!;
      // A row of the record locked elsewhere: both runs queue behind it, and take their turns
      // when it is let go.
      await holder.query('begin');
      await holder.query(`select from privacy.toolkit_object order by identity limit 1 for update`);
      const both = Promise.all([recordManifest(a, installed, new Map(), before), recordManifest(b, installed, new Map(), before)]);
      // Both queued (on the row, or one on the row and the other on the migration lock) before the row is let go.
      for (let waiting = 0; waiting < 2;) {
        const { rows } = await holder.query<{ n: number }>(`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`);
        waiting = rows[0]!.n;
      }
      await holder.query('rollback');
      await both;
      const { rows } = await holder.query<{ n: number }>('select count(*)::int as n from privacy.toolkit_object');
      expect(rows[0]!.n).toBe(installed.size);
    } finally {
      await Promise.all([holder, a, b].map((c) => c.end()));
    }
  });
});
