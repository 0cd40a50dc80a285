import { describe, expect, inject, it } from 'vitest';
import { DatabaseProvisionError } from '../../src/database/database-provision-error.ts';
import { provisionDatabase } from '../../src/database/provision.ts';

describe('DATABASE_URL', () => {
  it('is used as given when the server answers, and stop() leaves it running', async () => {
    const server = inject('integritetServer');
    const db = await provisionDatabase({ env: { DATABASE_URL: server.url } });
    expect(db).toMatchObject({ kind: 'env', url: server.url, serverVersion: server.serverVersion });
    expect(db.serverVersion).toMatch(/^PostgreSQL \d+\.\d+$/);
    await db.stop();
    await expect(provisionDatabase({ env: { DATABASE_URL: server.url } })).resolves.toMatchObject({ kind: 'env' });
  });

  it('that nothing answers fails at once with a message naming it, without its password', async () => {
    const failure = provisionDatabase({ env: { DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:1/postgres' } });
    await expect(failure).rejects.toBeInstanceOf(DatabaseProvisionError);
    await expect(failure).rejects.toMatchObject({ code: 'DATABASE_URL_UNREACHABLE' });
    await expect(failure).rejects.toThrow(/cannot connect to DATABASE_URL postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres: .*ECONNREFUSED/);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it('that is not a postgres:// URL is rejected before any connection', async () => {
    await expect(provisionDatabase({ env: { DATABASE_URL: 'localhost:5432' } })).rejects.toMatchObject({ code: 'DATABASE_URL_INVALID' });
    await expect(provisionDatabase({ env: { DATABASE_URL: 'mysql://root@127.0.0.1/db' } })).rejects.toThrow(/protocol mysql:/);
  });
});
