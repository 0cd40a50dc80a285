import { setTimeout as sleep } from 'node:timers/promises';
import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessDeniedError } from '../../src/errors/privacy-error.ts';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import {
  closeSubjectRequest, extendSubjectRequest, listSubjectRequests, processSubjectRequest, receiveSubjectRequest,
} from '../../src/kysely/api/subject-requests.ts';
import { registerErasureHandlers, sendErasureJob } from '../../src/worker/erasure-handlers.ts';
import { ERASURE_QUEUE } from '../../src/worker/erasure-queue.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { uniqueName } from '../support/unique-name.ts';
import { failureOf, lastLedgerId, ledgerSince } from './subject-fixtures.ts';

const db = useTestDatabase('base');
let admin: LoginRole;
let sweeper: LoginRole;

async function asAdmin<T>(work: (db: ReturnType<typeof openKysely>) => Promise<T>): Promise<T> {
  const kysely = openKysely(admin.url);
  try {
    return await work(kysely);
  } finally {
    await kysely.destroy();
  }
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.pool().query(sql, values);
  return Number(Object.values(rows[0])[0]);
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.member (id bigint primary key, name text, email text);
    create table public.visit (id bigint primary key, member_id bigint not null references public.member, door text);
    create table public.note (member_id bigint references public.member, body text);
    insert into public.member select g, 'Member ' || g, 'member' || g || '@example.se' from generate_series(1, 9) g;
    insert into public.visit select g, 1 + g % 9, 'north' from generate_series(1, 90) g;
    insert into public.note values (9, 'Called about the invoice');
    select privacy.declare_subject_type('member', 'member', 'id');
    select privacy.link_subject('member', 'visit', 'member_id');
    select privacy.link_subject('member', 'note', 'member_id');`);
  admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
  sweeper = await createLoginRole(db, { memberOf: ['privacy_sweeper'] });
});

describe('recording requests and their deadline (Art. 12(3))', () => {
  it('the deadline is one month after receipt: the same day of the next month, or its last day', async () => {
    const id = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'erasure', subjectType: 'member', subjectId: 1, receivedOn: '2026-01-31',
                                                               note: 'Phoned in by Member 1' }));
    const [request] = (await asAdmin((k) => listSubjectRequests(k, { which: 'all' }))).filter((r) => r.id === id);
    expect(request).toMatchObject({ kind: 'erasure', subjectType: 'member', subjectId: '1', receivedOn: '2026-01-31',
                                    deadline: '2026-02-28', status: 'received', attempts: 0 });
    const [entry] = await ledgerSince(db.pool(), 0, 'subject_request.received');
    expect(entry).toMatchObject({ object: `request ${id}`, detail: { kind: 'erasure', subject_type: 'member', deadline: '2026-02-28' } });
    expect(entry!.text).not.toMatch(/Phoned|"1"/);
  });

  it('can be extended by two further months at most, with a reason', async () => {
    const id = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'access', subjectType: 'member', subjectId: 2, receivedOn: '2026-01-31' }));
    expect(await asAdmin((k) => extendSubjectRequest(k, { requestId: id, months: 2, because: 'Many requests this month' }))).toBe('2026-04-28');
    expect(await failureOf(db.pool(), `select privacy.extend_subject_request($1, 1, 'more')`, [id])).toMatchObject({ code: 'PV408' });
  });

  it('overdue requests are listed, by SQL view and by the client', async () => {
    const overdue = await asAdmin((k) => listSubjectRequests(k, { which: 'overdue' }));
    expect(overdue.map((r) => [r.kind, r.deadline])).toEqual([['erasure', '2026-02-28'], ['access', '2026-04-28']]);
    expect(overdue[0]!.daysOverdue).toBeGreaterThan(0);
    expect(await count(`select count(*) from privacy.overdue_subject_request`)).toBe(2);
  });

  it.each([
    ['an unknown kind', `select privacy.receive_subject_request('rectification', 'member', '1')`, 'PV408'],
    ['a request from the future', `select privacy.receive_subject_request('access', 'member', '1', current_date + 1)`, 'PV408'],
    ['an unknown subject type', `select privacy.receive_subject_request('access', 'visitor', '1')`, 'PV007'],
  ])('refuses %s', async (_what, sql, code) => {
    expect(await failureOf(db.pool(), sql)).toMatchObject({ code });
  });
});

describe('processing requests', () => {
  it('the sweeper processes the erasure requests it is given, and nothing else', async () => {
    const erasure = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'erasure', subjectType: 'member', subjectId: 3 }));
    const access = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'access', subjectType: 'member', subjectId: 4 }));
    const restriction = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'restriction', subjectType: 'member', subjectId: 4 }));
    await asRole(sweeper, async (client) => {
      const ids = (await client.query(`select id::text as id from privacy.pending_erasure_requests() id`)).rows.map((r) => r.id);
      expect(ids).toContain(erasure);
      expect(ids).not.toContain(access);
      const { rows: [done] } = await client.query(`select privacy.process_subject_request($1) as outcome`, [erasure]);
      expect(done.outcome).toMatchObject({ status: 'done', kind: 'erasure', outcome: { report: [
        { relation: 'public.member', outcome: 'deleted', row_count: 1 }, { relation: 'public.visit', outcome: 'deleted', row_count: 10 },
      ] } });
      for (const id of [access, restriction]) {
        const refused = await failureOf(client, `select privacy.process_subject_request($1)`, [id]);
        expect(refused).toBeInstanceOf(AccessDeniedError);
        expect(refused).toMatchObject({ code: 'PV407' });
      }
      for (const sql of [`select * from privacy.subject_request`, `select privacy.receive_subject_request('erasure', 'member', '5')`,
                         `select * from privacy.erase_subject('member', '5', 'x')`, `select privacy.export_subject('member', '5')`]) {
        expect((await failureOf(client, sql)).code, sql).toBe('42501');
      }
    });
    expect(await count(`select count(*) from public.member where id = 3`)).toBe(0);
    expect(await count(`select count(*) from public.member where id = 5`)).toBe(1);
    const request = (await asAdmin((k) => listSubjectRequests(k, { which: 'all' }))).find((r) => r.id === erasure)!;
    expect(request).toMatchObject({ status: 'done', attempts: 1 });
    // Done is done: processing again does nothing.
    expect(await asAdmin((k) => processSubjectRequest(k, { requestId: erasure }))).toMatchObject({ status: 'done', nothing_to_do: true });
  });

  it('an admin processes access requests: the export comes back, the request keeps counts only', async () => {
    const id = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'access', subjectType: 'member', subjectId: 6 }));
    const outcome = await asAdmin((k) => processSubjectRequest(k, { requestId: id }));
    expect(outcome).toMatchObject({ request: id, status: 'done', outcome: { exported: { 'public.member': 1, 'public.visit': 10 } } });
    expect(outcome.export!.tables.find((t) => t.table === 'public.member')!.rows).toEqual([{ id: 6, name: 'Member 6', email: 'member6@example.se' }]);
    const stored = (await asAdmin((k) => listSubjectRequests(k, { which: 'all' }))).find((r) => r.id === id)!;
    expect(JSON.stringify(stored.outcome)).not.toContain('member6@example.se');
  });

  it('a failed erasure is recorded with its SQLSTATE only, and changes nothing', async () => {
    // Member 9 has a note in a table without a primary key, and a hold keeps it: it cannot be restricted.
    await db.pool().query(`select privacy.place_hold('member', '9', 'legal_claim', review_on => current_date + 30, note => 'Dispute')`);
    const id = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'erasure', subjectType: 'member', subjectId: 9 }));
    const before = await lastLedgerId(db.pool());
    const outcome = await asAdmin((k) => processSubjectRequest(k, { requestId: id }));
    expect(outcome).toMatchObject({ status: 'failed', sqlstate: 'PV405' });
    expect(await count(`select count(*) from public.visit where member_id = 9`)).toBe(10);
    expect((await asAdmin((k) => listSubjectRequests(k))).find((r) => r.id === id)).toMatchObject({ status: 'failed', attempts: 1,
      outcome: { error: 'PV405' } });
    expect(await ledgerSince(db.pool(), before, 'subject_request.failed')).toMatchObject([{ detail: { kind: 'erasure', sqlstate: 'PV405' } }]);
  });

  it('a request can be closed as refused, with the reason kept with it', async () => {
    const id = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'access', subjectType: 'member', subjectId: 7 }));
    await asAdmin((k) => closeSubjectRequest(k, { requestId: id, status: 'refused', because: 'Third identical request this week' }));
    expect(await count(`select count(*) from privacy.subject_request where id = $1 and status = 'refused' and note like '%Third%'`, [id])).toBe(1);
    expect(await failureOf(db.pool(), `select privacy.close_subject_request($1, 'done', 'again')`, [id])).toMatchObject({ code: 'PV406' });
  });
});

describe('the erasure worker (pg-boss)', () => {
  let boss: PgBoss;
  let pool: pg.Pool;

  beforeAll(async () => {
    const schema = uniqueName('boss');
    await db.pool().query(`create schema ${schema} authorization ${sweeper.name}`);
    pool = new pg.Pool({ connectionString: sweeper.url, max: 2 });
    boss = new PgBoss({ connectionString: sweeper.url, schema, createSchema: false, max: 2 });
    boss.on('error', () => {});
    await boss.start();
    await registerErasureHandlers(boss, { pool });
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false });
    await pool?.end();
  });

  async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  it('processes an erasure request it is sent, with nothing but the request id in the payload', async () => {
    const id = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'erasure', subjectType: 'member', subjectId: 8 }));
    await sendErasureJob(boss, id);
    await until('the erasure', async () => (await count(`select count(*) from privacy.subject_request where id = $1 and status = 'done'`, [id])) === 1);
    expect(await count(`select count(*) from public.visit where member_id = 8`)).toBe(0);
    const jobs = await boss.findJobs(ERASURE_QUEUE);
    expect(jobs.map((j) => j.data)).toContainEqual({ requestId: id });
  });

  it('the scan queues every pending erasure request', async () => {
    await db.pool().query(`select privacy.release_hold(id) from privacy.hold where subject_id = '9'`);
    const id = await asAdmin((k) => receiveSubjectRequest(k, { kind: 'erasure', subjectType: 'member', subjectId: 5 }));
    await boss.send(ERASURE_QUEUE, { scan: true }, { singletonKey: 'scan' });
    await until('the scan and the erasures', async () =>
      (await count(`select count(*) from privacy.subject_request where kind = 'erasure' and status = 'done' and subject_id in ('5', '9')`)) === 2);
    expect(await count(`select count(*) from public.member where id in (5, 9)`)).toBe(0);
    expect(await count(`select count(*) from public.note`)).toBe(0);
    expect(await count(`select count(*) from privacy.subject_request where id = $1 and status = 'done'`, [id])).toBe(1);
  });
});
