import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { embeddedPostgresVersion, locateEmbeddedBinaries, reachableEmbeddedBinaries } from '../../src/database/embedded-binaries.ts';
import { startEmbeddedDatabase } from '../../src/database/embedded-database.ts';
import { postgresOsUser } from '../../src/database/postgres-os-user.ts';
import { provisionDatabase } from '../../src/database/provision.ts';

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

describe('embedded PostgreSQL', () => {
  it('starts without DATABASE_URL, answers queries, and leaves nothing behind when stopped', async () => {
    const db = await provisionDatabase({ env: {}, dockerSocketPath: path.join(os.tmpdir(), 'integritet-no-such.sock') });
    expect(db.kind).toBe('embedded');
    expect(db.serverVersion).toBe(embeddedPostgresVersion());
    const directory = db.directory ?? '';
    expect(await exists(path.join(directory, 'data', 'PG_VERSION'))).toBe(true);

    const client = new pg.Client(db.url);
    await client.connect();
    const { rows } = await client.query("select current_database() as db, current_setting('listen_addresses') as listen, rolsuper from pg_roles where rolname = current_user");
    await client.end();
    expect(rows).toEqual([{ db: 'postgres', listen: '127.0.0.1', rolsuper: true }]);

    await db.stop();
    await db.stop(); // idempotent
    expect(await exists(directory)).toBe(false);
    await expect(new pg.Client({ connectionString: db.url, connectionTimeoutMillis: 2_000 }).connect()).rejects.toThrow();
  });

  it('asks for the password: a wrong one is refused', async () => {
    const db = await startEmbeddedDatabase();
    try {
      const wrong = new URL(db.url);
      wrong.password = 'wrong';
      await expect(new pg.Client(wrong.toString()).connect()).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await db.stop();
    }
  });

  it('that cannot start reports the server log and removes its temp dir', async () => {
    // Occupy the port it is told to use.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const before = new Set(await fs.readdir(os.tmpdir()));
    try {
      const failure = startEmbeddedDatabase({ port });
      await expect(failure).rejects.toMatchObject({ code: 'EMBEDDED_START_FAILED' });
      await expect(failure).rejects.toThrow(/--- server log ---[\s\S]*could not bind IPv4 address "127\.0\.0\.1"/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const left = (await fs.readdir(os.tmpdir())).filter((name) => name.startsWith('integritet-pg-') && !before.has(name));
    expect(left).toEqual([]);
  });

  it.runIf(process.getuid?.() === 0)('as root, copies binaries the postgres OS user cannot reach and runs from the copy', async () => {
    const user = await postgresOsUser();
    const located = locateEmbeddedBinaries();
    // A checkout under a folder only root may enter, like /root.
    const privateRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'integritet-private-'));
    const copyDirectory = path.join(os.tmpdir(), `integritet-test-copy-${process.pid}`);
    try {
      await fs.chmod(privateRoot, 0o700);
      await fs.cp(located.directory, path.join(privateRoot, 'native'), { recursive: true, verbatimSymlinks: true });
      const unreachable = { ...located, directory: path.join(privateRoot, 'native'), initdb: path.join(privateRoot, 'native/bin/initdb'), postgres: path.join(privateRoot, 'native/bin/postgres') };

      const binaries = await reachableEmbeddedBinaries(user, { from: unreachable, copyDirectory });
      expect(binaries.directory).toBe(copyDirectory);
      const again = await reachableEmbeddedBinaries(user, { from: unreachable, copyDirectory });
      expect(again).toEqual(binaries); // reused, not copied again

      const db = await startEmbeddedDatabase({ binaries });
      try {
        const client = new pg.Client(db.url);
        await client.connect();
        const { rows } = await client.query('select 1 as one');
        await client.end();
        expect(rows).toEqual([{ one: 1 }]);
      } finally {
        await db.stop();
      }
    } finally {
      await fs.rm(privateRoot, { recursive: true, force: true });
      await fs.rm(copyDirectory, { recursive: true, force: true });
    }
  });

  it('names the PostgreSQL the package ships', () => {
    expect(embeddedPostgresVersion()).toMatch(/^PostgreSQL \d+\.\d+$/);
  });
});
