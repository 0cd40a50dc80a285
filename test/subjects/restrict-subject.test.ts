import { beforeAll, describe, expect, it } from 'vitest';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import { restrictSubject, unrestrictSubject } from '../../src/kysely/api/restrict-subject.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import {
  CUSTOMER_TABLES, applyReferencePolicy, customerRows, failureOf, lastLedgerId, ledgerSince, maskedCounts,
} from './subject-fixtures.ts';

const db = useTestDatabase('tracking');
let admin: LoginRole;
let app: LoginRole;

async function asAdmin<T>(work: (db: ReturnType<typeof openKysely>) => Promise<T>): Promise<T> {
  const kysely = openKysely(admin.url);
  try {
    return await work(kysely);
  } finally {
    await kysely.destroy();
  }
}

beforeAll(async () => {
  await applyReferencePolicy(db);
  admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
  app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
});

describe('restricting a subject (Art. 18)', () => {
  it('hides every row of the subject from masked reads, and only those', async () => {
    const visible = await asRole(app, (client) => maskedCounts(client, 1));
    expect(visible.position).toBe(await customerRows(db.pool(), 'position', 1));
    const before = await lastLedgerId(db.pool());
    const lines = await asAdmin((k) => restrictSubject(k, { subjectType: 'customer', subjectId: 1, reason: 'Art. 18(1)(a), ticket 4713' }));
    expect(lines.find((l) => l.relation === 'public."position"')!.rows).toBe(visible.position);
    expect(await asRole(app, (client) => maskedCounts(client, 1))).toEqual(Object.fromEntries(CUSTOMER_TABLES.map((t) => [t, 0])));
    // The rows are all still there, and the other tenant sees its own as before.
    expect(await customerRows(db.pool(), 'position', 1)).toBe(visible.position);
    expect((await asRole(app, (client) => maskedCounts(client, 2))).position).toBe(await customerRows(db.pool(), 'position', 2));
    const [entry] = await ledgerSince(db.pool(), before, 'subject.restrict');
    expect(entry).toMatchObject({ object: 'customer', detail: { reason: 'Art. 18(1)(a), ticket 4713', tables: { 'public.customer': 1 } } });
  });

  it('restricting again adds only rows written since', async () => {
    await db.pool().query(`insert into public.position (customer_id, device_id, recorded_at, lat, lon)
                           select customer_id, id, '2026-06-01T10:00:00Z', 59.3, 18.1 from public.device where customer_id = 1 limit 1`);
    expect((await asRole(app, (client) => maskedCounts(client, 1, ['position']))).position).toBe(1);
    expect(await asAdmin((k) => restrictSubject(k, { subjectType: 'customer', subjectId: 1, reason: 'again' })))
      .toEqual([{ relation: 'public."position"', rows: 1 }]);
    expect((await asRole(app, (client) => maskedCounts(client, 1, ['position']))).position).toBe(0);
  });

  it('a masked login can neither read nor change a restricted row through its view (restricted_row_write)', async () => {
    const { rows: [vehicle] } = await db.pool().query(`select id, driver_name from public.vehicle where customer_id = 1 order by id limit 1`);
    await asRole(app, async (client) => {
      await client.query('begin');
      await client.query(`select privacy.set_tenant('1')`);
      const updated = await client.query(`update masked.vehicle set notes = 'changed' where id = $1`, [vehicle.id]);
      const deleted = await client.query(`delete from masked.vehicle where id = $1`, [vehicle.id]);
      await client.query('commit');
      expect([updated.rowCount, deleted.rowCount]).toEqual([0, 0]);
    });
    const { rows } = await db.pool().query(`select notes, driver_name from public.vehicle where id = $1`, [vehicle.id]);
    expect(rows[0].driver_name).toBe(vehicle.driver_name);
    expect(rows[0].notes).not.toBe('changed');
    // And it cannot read which rows are restricted.
    await asRole(app, async (client) => {
      expect(await failureOf(client, `select count(*) from privacy.restricted_row`)).toMatchObject({ code: '42501' });
    });
  });

  it('row-level security leaves restricted rows out with a subplan on the key of privacy.hidden_row', async () => {
    const { rows } = await db.pool().query(`explain (costs off) select * from masked.vehicle where id = 1`);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Filter: .*NOT \((ANY \(.*)?\(?(hashed )?SubPlan/); // PostgreSQL 18 writes NOT (ANY (id = (hashed SubPlan n).col1))
    expect(plan).toMatch(/Index Only Scan using hidden_row_pkey|Index Scan using hidden_row_pkey/);
  });

  it('the planner prices the restricted-rows filter as one hash per statement, not a probe per row', async () => {
    // A filter priced as an index probe per row made a masked full scan of 100k rows look twenty
    // times dearer than it is, and PostgreSQL then compiled it with JIT (inlined and optimized),
    // which cost more than the scan. What the scans of the table cost a row, masked, may be only
    // a little more than raw. (Building the hash is a start-up cost, paid by each partition's scan
    // of position: left out here, it grows with the table's restricted rows, not with its rows.)
    const cost = async (sql: string) => {
      type Node = { 'Relation Name'?: string; 'Startup Cost': number; 'Total Cost': number; Plans?: Node[] };
      const { rows } = await db.pool().query(`explain (format json) ${sql}`);
      const perRow = (n: Node): number => (n['Relation Name'] === undefined || n['Relation Name'] === 'hidden_row' ? 0
        : n['Total Cost'] - n['Startup Cost']) + (n.Plans ?? []).reduce((sum, c) => sum + perRow(c), 0);
      return perRow((rows[0]['QUERY PLAN'] as { Plan: Node }[])[0]!.Plan);
    };
    // Statistics of the rows restricted above, as autovacuum would give them sooner or later.
    await db.pool().query('analyze privacy.hidden_row');
    const masked = await cost('select count(*) from masked.position');
    const raw = await cost('select count(*) from public.position');
    expect(masked / raw, `planned cost: masked ${masked}, raw ${raw}`).toBeLessThan(2);
  });

  it('unrestricting shows the rows again, but not what an erasure keeps back', async () => {
    const lifted = await asAdmin((k) => unrestrictSubject(k, { subjectType: 'customer', subjectId: 1 }));
    expect(lifted.find((l) => l.relation === 'public.customer')).toEqual({ relation: 'public.customer', rows: 1 });
    expect((await asRole(app, (client) => maskedCounts(client, 1))).position).toBe(await customerRows(db.pool(), 'position', 1));
    expect(await asAdmin((k) => unrestrictSubject(k, { subjectType: 'customer', subjectId: 1 }))).toEqual([]);
  });

  it('restricting a device hides its positions and trips, not the rest of its customer', async () => {
    const { rows: [device] } = await db.pool().query(`select id from public.device where customer_id = 2 order by id limit 1`);
    const before = await asRole(app, (client) => maskedCounts(client, 2, ['position', 'trip', 'device', 'vehicle']));
    const lines = await asAdmin((k) => restrictSubject(k, { subjectType: 'device', subjectId: device.id, reason: 'ticket 4714' }));
    const after = await asRole(app, (client) => maskedCounts(client, 2, ['position', 'trip', 'device', 'vehicle']));
    const restricted = Object.fromEntries(lines.map((l) => [l.relation.replace(/^public\.|"/g, ''), l.rows]));
    expect(after).toEqual({
      position: before.position! - restricted.position!, trip: before.trip! - restricted.trip!, device: before.device! - 1, vehicle: before.vehicle,
    });
  });

  it('only privacy_admin may restrict or unrestrict', async () => {
    for (const role of [app, await createLoginRole(db, { memberOf: ['privacy_sweeper'] })]) {
      await asRole(role, async (client) => {
        expect(await failureOf(client, `select * from privacy.restrict_subject('customer', '2', 'x')`)).toMatchObject({ code: '42501' });
        expect(await failureOf(client, `select * from privacy.unrestrict_subject('customer', '2')`)).toMatchObject({ code: '42501' });
      });
    }
  });
});
