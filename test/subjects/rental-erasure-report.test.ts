import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

// The erasure report over the rental schema (examples/rental), set up as the new user's clinic
// was: the personnummer is required and format-checked, classified as an identifier with no
// anonymize strategy. Its anonymized value ('' for a NOT NULL text) fails the check, so the
// customer row cannot be anonymized whole; the payments the bookkeeping minimum keeps still
// reference it, so it is anonymized in part and restricted — and the report must say that the
// personnummer is still there, verbatim.
const db = useTestDatabase('rental');
let admin: LoginRole;

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/integritet.js', 'subject', ...args, '--database-url', admin.url], { encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const PERSONNUMMER_LEFT = { column: 'personnummer', why: 'check customer_personnummer_check refuses its anonymized value' };

beforeAll(async () => {
  await db.pool().query(`
    alter table customer alter column personnummer set not null;
    select privacy.declare_subject_type('customer', 'customer', 'customer_id');
    select privacy.link_subject('customer', 'rental', 'customer_id');
    select privacy.link_subject('customer', 'payment', 'customer_id', unchecked => true);
    select privacy.classify_column('customer', c, 'not_personal')
    from unnest(array['customer_id', 'store_id', 'address_id', 'activebool', 'create_date', 'last_update']) c;
    select privacy.classify_column('customer', c, 'identifier') from unnest(array['first_name', 'last_name', 'personnummer']) c;
    select privacy.classify_column('customer', 'email', 'contact');
    select privacy.set_retention('customer', anchor => 'create_date', keep => '3 years', action => 'anonymize');
    select privacy.set_retention('payment', anchor => 'payment_date', keep => '1 year', action => 'delete',
                                 minimum => 'bookkeeping', minimum_anchor => 'payment_date');`);
  admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
});

describe('an erasure that cannot anonymize a checked personnummer', () => {
  it('says so per column: names what it anonymized and that the personnummer was left, and why', async () => {
    const before = (await db.pool().query(`select * from customer where customer_id = 5`)).rows[0];
    const { rows } = await db.pool().query(`select relation, outcome, row_count::int as rows, kept_by, changed, unchanged
                                            from privacy.erase_subject('customer', '5', 'Art. 17 request, ticket 1')`);
    const customer = rows.filter((r) => r.relation === 'public.customer');
    expect(customer).toEqual([
      { relation: 'public.customer', outcome: 'anonymized', rows: 1, kept_by: null, changed: ['first_name', 'last_name', 'email'],
        unchanged: [PERSONNUMMER_LEFT] },
      { relation: 'public.customer', outcome: 'restricted', rows: 1, kept_by: expect.stringMatching(/^referenced:public\./),
        changed: null, unchanged: null },
    ]);
    // What the report says is what the row holds.
    const after = (await db.pool().query(`select * from customer where customer_id = 5`)).rows[0];
    expect(after.personnummer).toBe(before.personnummer);
    expect(after).toMatchObject({ first_name: '', last_name: '', email: null });
    // The payments the law keeps are restricted, not anonymized; nothing says their columns changed.
    expect(rows).toContainEqual({ relation: 'public.payment', outcome: 'restricted', rows: 8, kept_by: 'minimum:bookkeeping',
                                  changed: null, unchanged: null });
    // The ledger gets the same, as names: never the number itself.
    const { rows: [entry] } = await db.pool().query(
      `select detail from privacy.ledger where action = 'subject.erase' order by id desc limit 1`);
    expect(entry.detail.report).toContainEqual(expect.objectContaining({ relation: 'public.customer', outcome: 'anonymized',
                                                                         unchanged: [PERSONNUMMER_LEFT] }));
    expect(JSON.stringify(entry.detail)).not.toContain(before.personnummer);
  });

  it('subject erase prints the columns left as they were; --json carries them', async () => {
    const run = cli(['erase', 'customer', '7', '--reason', 'ticket 2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/public\.customer\s+anonymized\s+1\s+first_name, last_name, email/);
    expect(run.stdout).toMatch(/columns left as they were in those rows:\n\s*column\s+in rows\s+why/);
    expect(run.stdout).toMatch(/public\.customer\.personnummer\s+anonymized\s+check customer_personnummer_check refuses its anonymized value/);
    const json = JSON.parse(cli(['erase', 'customer', '9', '--reason', 'ticket 3', '--json']).stdout);
    expect(json).toContainEqual({ relation: 'public.customer', outcome: 'anonymized', rows: 1, keptBy: null, until: null,
                                  changed: ['first_name', 'last_name', 'email'], unchanged: [PERSONNUMMER_LEFT] });
  }, 120_000);

  it('subject process prints an erasure request\'s report with the same columns', () => {
    const { id } = JSON.parse(cli(['receive', 'erasure', 'customer', '11', '--json']).stdout);
    const run = cli(['process', String(id)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`request ${id} (erasure): done`);
    expect(run.stdout).toMatch(/public\.customer\.personnummer\s+anonymized\s+check customer_personnummer_check refuses/);
    const again = cli(['process', String(id), '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'done', nothing_to_do: true });
  }, 120_000);
});
