import { spawn } from 'node:child_process';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
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
