import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(process.execPath, ['bin/integritet.js', ...args], { encoding: 'utf8', env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('integritet migrate (command line)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase();
  });


  it('up, status, down --all and up again all succeed', () => {
    const up = cli(['migrate', 'up', '--database-url', db.url]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('applied 0001-privacy-catalog');

    const status = cli(['migrate', 'status', '--database-url', db.url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/0001-privacy-catalog\s+versioned\s+applied/);
    expect(status.stdout).toContain('up to date');

    const json = JSON.parse(cli(['migrate', 'status', '--json', '--database-url', db.url]).stdout);
    expect(json[0]).toMatchObject({ name: '0001-privacy-catalog', state: 'applied' });

    const down = cli(['migrate', 'down', '--all', '--database-url', db.url]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('reverted 0001-privacy-catalog');
    expect(cli(['migrate', 'status', '--database-url', db.url]).stdout).toMatch(/0001-privacy-catalog\s+versioned\s+pending/);

    expect(cli(['migrate', 'up', '--database-url', db.url]).code).toBe(0);
  });

  it('without a database says how to give one and exits 2 (bad usage)', () => {
    const { DATABASE_URL: _, ...env } = process.env;
    const run = cli(['migrate', 'status'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--database-url or set DATABASE_URL');
  });

  it('an unknown command or option exits 2', () => {
    expect(cli(['migrate', 'sideways']).code).toBe(2);
    expect(cli(['migrate', 'up', '--bogus']).code).toBe(2);
  });
});
