import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { installScript } from '../../src/migrate/install-script.ts';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { toolkitSnapshot } from '../support/schema-snapshot.ts';
import { createScratchDatabase, type TestDatabase } from '../support/test-database.ts';

describe('the plain SQL install script (integritet sql)', () => {
  let byScript: TestDatabase, byMigrator: TestDatabase, failed: TestDatabase;
  beforeAll(async () => {
    byScript = await createScratchDatabase();
    byMigrator = await createScratchDatabase();
    failed = await createScratchDatabase();
  });


  it('applied with psql gives the same schema as migrate up', async () => {
    const printed = execFileSync(process.execPath, ['bin/integritet.js', 'sql'], { encoding: 'utf8' });
    expect(printed).toBe(installScript());
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', byScript.url], { input: printed, stdio: ['pipe', 'ignore', 'pipe'] });
    await migrateUp(byMigrator.url);
    expect(await toolkitSnapshot(byScript.url)).toEqual(await toolkitSnapshot(byMigrator.url));
  });

  it('applied with the command its header gives, psql warns of nothing', async () => {
    const command = /^-- Apply with: (psql .*) integritet\.sql$/m.exec(installScript())?.[1];
    expect(command).toBe('psql -v ON_ERROR_STOP=1 -f');
    const file = join(mkdtempSync(join(tmpdir(), 'integritet-')), 'integritet.sql');
    writeFileSync(file, installScript());
    const headerDb = await createScratchDatabase();
    const args = [...(command ?? '').split(' ').slice(1), file, '-X', '-q', '-d', headerDb.url];
    const run = spawnSync('psql', args, { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/WARNING/);
  });

  it('leaves migrate up nothing to do afterwards', async () => {
    expect(await migrateUp(byScript.url)).toEqual({ versioned: [], repeatable: [] });
  });

  it('is all or nothing: a script failing half-way leaves no trace', async () => {
    const broken = installScript().replace('create table privacy.hold (', 'select 1 / 0;\ncreate table privacy.hold (');
    expect(broken).not.toBe(installScript());
    // From a file: psql stops reading at the error, and a pipe would then break under the writer.
    const file = join(mkdtempSync(join(tmpdir(), 'integritet-')), 'broken.sql');
    writeFileSync(file, broken);
    expect(() => execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', failed.url, '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] }))
      .toThrow(/division by zero/);
    const client = new pg.Client({ connectionString: failed.url });
    await client.connect();
    try {
      const { rows } = await client.query(`select exists (select from pg_namespace where nspname = 'privacy') as installed`);
      expect(rows[0].installed).toBe(false);
    } finally {
      await client.end();
    }
  });
});
