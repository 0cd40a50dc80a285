import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { attempt, createAttacker, expectNoSecret, protectAndReadSecrets, type Secrets } from './fixture.ts';

const db = useTestDatabase('tracking');
let secrets: Secrets;
let attacker: LoginRole;

beforeAll(async () => {
  secrets = await protectAndReadSecrets(db);
  attacker = await createAttacker(db);
});

const tryAs = (sql: string) => asRole(attacker, (client) => attempt(client, sql));

describe('tampering with the protection itself', () => {
  it('forging a ledger entry is refused', async () => {
    expect((await tryAs(`insert into privacy.ledger (action, object) values ('reveal', 'nothing')`)).error?.code).toBe('42501');
    expect((await tryAs(`select privacy.record('reveal', 'nothing')`)).error?.code).toBe('42501');
  });

  it('erasing the ledger is refused', async () => {
    expect((await tryAs('delete from privacy.ledger')).error?.code).toBe('42501');
    expect((await tryAs('truncate privacy.ledger')).error?.code).toBe('42501');
  });

  it('declassifying or unprotecting a table to read it raw is refused', async () => {
    expect((await tryAs(`select privacy.classify_column('customer', 'email', 'not_personal')`)).error?.code).toBe('42501');
    expect((await tryAs(`select privacy.unprotect_table('customer')`)).error?.code).toBe('42501');
    expect((await tryAs(`select privacy.sync()`)).error?.code).toBe('42501');
    expect((await tryAs(`select privacy.sync_table('public', 'customer')`)).error?.code).toBe('42501');
  });

  it('reveal() without privacy_unmasked is refused and leaves no value anywhere', async () => {
    const outcome = await tryAs(`select privacy.reveal('customer', '${secrets.other}', 'email', 'curious')`);
    expect(outcome.error?.code).toBe('42501');
    expectNoSecret(JSON.stringify(outcome), secrets);
  });

  it('reveal() by trusted staff needs a reason, returns the value, and writes the reason but not the value to the ledger', async () => {
    const staff = await createLoginRole(db, { memberOf: ['privacy_unmasked'] });
    await asRole(staff, async (client) => {
      const refused = await attempt(client, `select privacy.reveal('customer', $1, 'email', '  ')`, [secrets.other]);
      expect(refused.error?.code).toBe('PV011');
      const { rows } = await client.query(`select privacy.reveal('customer', $1, 'email', 'Subject access request 2026-17') as v`, [secrets.other]);
      expect(rows[0].v).toBe(secrets.otherEmail);
    });
    const ledger = await db.pool().query(`select actor, detail::text as detail from privacy.ledger where action = 'reveal'`);
    expect(ledger.rows).toHaveLength(1);
    expect(ledger.rows[0].actor).toBe(staff.name);
    expect(ledger.rows[0].detail).toContain('Subject access request 2026-17');
    expect(ledger.rows[0].detail).not.toContain(secrets.otherEmail);
  });

  it('the privacy functions that generate enforcement cannot be called to run chosen SQL', async () => {
    for (const sql of [
      `select privacy.masked_view_sql('public', 'customer')`,
      `select privacy.write_trigger_sql('public', 'customer', 'x')`,
      `select privacy.remove_enforcement('public', 'customer')`,
      `select masked.customer_write()`,
    ]) expect((await tryAs(sql)).error?.code, sql).toMatch(/42501|0A000/);
  });

  it('pg_dump run as the restricted role dumps no personal data', () => {
    let dumpMajor = 0;
    try {
      dumpMajor = Number(/(\d+)/.exec(execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }))?.[1]);
    } catch {
      dumpMajor = 0;
    }
    const serverMajor = Number(execFileSync('psql', ['-X', '-At', '-d', attacker.url, '-c', 'show server_version_num'],
      { encoding: 'utf8' }).trim()) / 10000;
    if (dumpMajor < Math.floor(serverMajor)) {
      // pg_dump refuses newer servers; the attempt below needs a pg_dump at least as new.
      expect(dumpMajor).toBeLessThan(Math.floor(serverMajor));
      return;
    }
    const run = (args: string[]) => {
      try {
        return { out: execFileSync('pg_dump', [...args, attacker.url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), code: 0 };
      } catch (error) {
        const e = error as { status: number; stdout?: string; stderr?: string };
        return { out: `${e.stdout ?? ''}${e.stderr ?? ''}`, code: e.status };
      }
    };
    const whole = run(['--data-only']);
    expect(whole.code).not.toBe(0);
    expect(whole.out).toContain('permission denied');
    expectNoSecret(whole.out, secrets);
    const oneTable = run(['--data-only', '--table=public.customer']);
    expect(oneTable.code).not.toBe(0);
    expectNoSecret(oneTable.out, secrets);
    const schemaOnly = run(['--schema-only']);
    expectNoSecret(schemaOnly.out, secrets);
  });
});
