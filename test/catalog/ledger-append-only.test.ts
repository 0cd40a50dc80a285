import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AccessDeniedError, ProtectedRecordError, toPrivacyError } from '../../src/errors/privacy-error.ts';
import { asRole, createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

async function failureOf(client: pg.ClientBase | pg.Pool, sql: string): Promise<unknown> {
  try {
    await client.query(sql);
  } catch (error) {
    return toPrivacyError(error);
  }
  throw new Error(`expected an error from: ${sql}`);
}

describe('forging or erasing audit history', () => {
  it("the ledger's owner cannot update, delete or truncate entries", async () => {
    const count = async () => (await db.pool().query('select count(*)::int as n from privacy.ledger')).rows[0].n;
    const before = await count();
    expect(before).toBeGreaterThan(0);
    for (const sql of [
      `update privacy.ledger set actor = 'nobody'`,
      `delete from privacy.ledger`,
      `truncate privacy.ledger`,
    ]) {
      const error = await failureOf(db.pool(), sql);
      expect(error, sql).toBeInstanceOf(ProtectedRecordError);
      expect(error).toMatchObject({ code: 'PV009', object: 'privacy.ledger' });
    }
    expect(await count()).toBe(before);
  });

  it('a privacy_admin member cannot insert a forged entry', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      const error = await failureOf(client, `insert into privacy.ledger (action, object) values ('reveal', 'nothing happened')`);
      expect(error).toBeInstanceOf(AccessDeniedError);
      const viaFunction = await failureOf(client, `select privacy.record('reveal', 'nothing happened')`);
      expect(viaFunction).toBeInstanceOf(AccessDeniedError);
    });
  });
});
