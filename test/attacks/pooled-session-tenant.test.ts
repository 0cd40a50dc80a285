// Finding: behind a transaction pooler (pgbouncer, transaction mode), one client's session-level
// `SET privacy.transaction_tenant` gave the next clients on the same server connection that
// tenant's rows without any set_tenant(). The tenant now counts only in the transaction whose
// stamp it carries (sql/205-tenant.sql); every connection here plays the pooler's server
// connection, handed from one client to the next.
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { attempt, createAttacker, protectAndReadSecrets, type Secrets } from './fixture.ts';

const db = useTestDatabase('tracking');
let secrets: Secrets;
let app: LoginRole;

beforeAll(async () => {
  secrets = await protectAndReadSecrets(db);
  app = await createAttacker(db);
});

/** The next client on the same server connection: a transaction without set_tenant(). */
async function nextClientReads(connection: import('pg').ClientBase): Promise<unknown[]> {
  await connection.query('begin');
  const outcome = await attempt(connection, 'select id::text from customer union all select customer_id::text from vehicle');
  await connection.query('commit');
  expect(outcome.error).toBeUndefined();
  return outcome.rows;
}

describe('a tenant left on a pooled server connection', () => {
  it('a session-level SET privacy.transaction_tenant names no tenant for the next transactions', async () => {
    await asRole(app, async (connection) => {
      await connection.query(`set privacy.transaction_tenant = '${secrets.own}'`);
      for (let client = 0; client < 6; client++) expect(await nextClientReads(connection)).toEqual([]);
    });
  });

  it('set_config(…, false) of the same setting names no tenant either', async () => {
    await asRole(app, async (connection) => {
      await connection.query(`select set_config('privacy.transaction_tenant', $1, false)`, [secrets.own]);
      expect(await nextClientReads(connection)).toEqual([]);
    });
  });

  it('a session-level SET made inside a transaction that called set_tenant() names no tenant, then or later', async () => {
    await asRole(app, async (connection) => {
      await connection.query('begin');
      await connection.query('select privacy.set_tenant($1)', [secrets.own]);
      expect((await connection.query('select id::text from customer')).rows).toEqual([{ id: secrets.own }]);
      await connection.query(`set privacy.transaction_tenant = '${secrets.own}'`);
      expect((await connection.query('select id::text from customer')).rows).toEqual([]);
      await connection.query('commit');
      expect(await nextClientReads(connection)).toEqual([]);
    });
  });

  it('the setting copied from a transaction that called set_tenant() names no tenant in a later one', async () => {
    await asRole(app, async (connection) => {
      await connection.query('begin');
      await connection.query('select privacy.set_tenant($1)', [secrets.own]);
      const { rows: [copied] } = await connection.query(`select current_setting('privacy.transaction_tenant') as value`);
      await connection.query('commit');
      await connection.query(`select set_config('privacy.transaction_tenant', $1, false)`, [copied.value]);
      for (let client = 0; client < 3; client++) expect(await nextClientReads(connection)).toEqual([]);
    });
  });

  it('a client that calls set_tenant() on that connection reads its own tenant only', async () => {
    await asRole(app, async (connection) => {
      await connection.query(`set privacy.transaction_tenant = '${secrets.other}'`);
      await connection.query('begin');
      await connection.query('select privacy.set_tenant($1)', [secrets.own]);
      const { rows } = await connection.query('select id::text from customer');
      await connection.query('commit');
      expect(rows).toEqual([{ id: secrets.own }]);
    });
  });
});
