import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidDeclarationError, UnknownObjectError } from '../../src/errors/privacy-error.ts';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import { linkSubjectThrough, readSubjectGraph } from '../../src/subjects/subject-graph.ts';
import { exportSubject } from '../../src/kysely/api/export-subject.ts';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { applyReferencePolicy, failureOf, lastLedgerId, ledgerSince } from './subject-fixtures.ts';

const db = useTestDatabase('tracking');
let admin: LoginRole;

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
});

describe('the subject graph', () => {
  it('shows each link of the reference policy with the foreign key that backs it', async () => {
    const graph = await asAdmin((k) => readSubjectGraph(k, { subjectType: 'customer' }));
    expect(graph.map((l) => [l.relation, l.link, l.foreignKey, l.depth, l.finding])).toEqual([
      ['public.admin_user', 'customer_id', 'admin_user_customer_id_fkey', 1, null],
      ['public.contact_person', 'customer_id', 'contact_person_customer_id_fkey', 1, null],
      ['public.customer', 'id', null, 0, null],
      ['public.device', 'customer_id', 'device_customer_id_fkey', 1, null],
      ['public.invoice', 'customer_id', 'invoice_customer_id_fkey', 1, null],
      ['public.payment', 'customer_id', 'payment_customer_id_fkey', 1, null],
      ['public."position"', 'customer_id', 'position_customer_id_fkey', 1, null],
      ['public.trip', 'customer_id', 'trip_customer_id_fkey', 1, null],
      ['public.vehicle', 'customer_id', 'vehicle_customer_id_fkey', 1, null],
    ]);
  });

  it('links positions to a vehicle through their device, checked against the real foreign key', async () => {
    const before = await lastLedgerId(db.pool());
    await db.pool().query(`
      select privacy.declare_subject_type('vehicle', 'vehicle', 'id', 'A vehicle, and through it who drives it');
      select privacy.link_subject('vehicle', 'device', 'vehicle_id');
      select privacy.link_subject('vehicle', 'trip', 'vehicle_id');`);
    await asAdmin((k) => linkSubjectThrough(k, { subjectType: 'vehicle', table: 'position', parentTable: 'device' }));
    const graph = await asAdmin((k) => readSubjectGraph(k, { subjectType: 'vehicle' }));
    expect(graph.map((l) => [l.relation, l.link, l.foreignKey, l.depth, l.finding])).toEqual([
      ['public.device', 'vehicle_id', 'device_customer_id_vehicle_id_fkey', 1, null],
      ['public.trip', 'vehicle_id', 'trip_customer_id_vehicle_id_fkey', 1, null],
      ['public.vehicle', 'id', null, 0, null],
      ['public."position"', 'customer_id, device_id → public.device', 'position_customer_id_device_id_fkey', 2, null],
    ]);
    const [entry] = await ledgerSince(db.pool(), before, 'subject_path.insert');
    expect(entry).toMatchObject({ object: 'public."position"', detail: { subject_type: 'vehicle', parent: 'public.device' } });

    // A vehicle's export has the positions of every device ever fitted to it.
    const { rows: [vehicle] } = await db.pool().query(`select d.vehicle_id as id, count(p.*)::int as positions
      from public.device d join public.position p on p.device_id = d.id where d.vehicle_id is not null
      group by 1 order by 2 desc limit 1`);
    const document = await asAdmin((k) => exportSubject(k, { subjectType: 'vehicle', subjectId: vehicle.id }));
    expect(document.tables.find((t) => t.table === 'public."position"')!.row_count).toBe(vehicle.positions);
  });

  it('names what is wrong or missing: a link no foreign key backs, a table that references a linked one unlinked', async () => {
    await db.pool().query(`
      create table public.service_visit (id bigint primary key, vehicle_id bigint references public.vehicle, note text);
      create table public.fuel_card (id bigint primary key, holder_name text, vehicle_ref bigint);
      select privacy.link_subject('vehicle', 'fuel_card', 'vehicle_ref', unchecked => true);`);
    const graph = await asAdmin((k) => readSubjectGraph(k, { subjectType: 'vehicle' }));
    expect(graph.find((l) => l.relation === 'public.fuel_card')).toMatchObject({
      link: 'vehicle_ref', foreignKey: null, finding: expect.stringMatching(/^unchecked: no foreign key backs it \(to public\.vehicle\.id\)/),
    });
    expect((await db.pool().query(`select severity, check_name, object from privacy.verify() where check_name like 'subject_link%'`)).rows)
      .toEqual([{ severity: 'medium', check_name: 'subject_link_unchecked', object: 'public.fuel_card.vehicle_ref' }]);
    expect(graph.find((l) => l.relation === 'public.service_visit')).toMatchObject({
      link: null, foreignKey: 'service_visit_vehicle_id_fkey',
      finding: expect.stringContaining(`privacy.link_subject_through('vehicle', 'public.service_visit', 'public.vehicle')`),
    });
    await db.pool().query(`select privacy.unlink_subject('vehicle', 'fuel_card', 'vehicle_ref');
                           drop table public.fuel_card; drop table public.service_visit;`);
  });

  it('a path link whose foreign key was dropped is a finding, and an error when used', async () => {
    await db.pool().query(`
      create table public.tyre (id bigint primary key, vehicle_id bigint constraint tyre_vehicle_fk references public.vehicle, size text);
      select privacy.link_subject_through('vehicle', 'tyre', 'vehicle');
      alter table public.tyre drop constraint tyre_vehicle_fk;`);
    const graph = await asAdmin((k) => readSubjectGraph(k, { subjectType: 'vehicle' }));
    expect(graph.find((l) => l.relation === 'public.tyre')).toMatchObject({ foreignKey: 'tyre_vehicle_fk', finding: 'its foreign key no longer exists' });
    expect(await failureOf(db.pool(), `select privacy.export_subject('vehicle', '1')`)).toMatchObject({ code: 'PV401', object: 'public.tyre' });
    await db.pool().query(`select privacy.unlink_subject_through('vehicle', 'tyre', 'vehicle'); drop table public.tyre;`);
  });

  it.each([
    ['no foreign key to the parent', `select privacy.link_subject_through('vehicle', 'invoice', 'vehicle')`, 'PV401', UnknownObjectError],
    ['a parent not linked to the subject type', `select privacy.link_subject_through('vehicle', 'payment', 'invoice')`, 'PV403', InvalidDeclarationError],
    ['a link that would go round in a circle', `select privacy.link_subject_through('vehicle', 'vehicle', 'vehicle')`, 'PV403', InvalidDeclarationError],
    ['an unknown subject type', `select privacy.link_subject_through('driver', 'position', 'device')`, 'PV007', UnknownObjectError],
    ['an unknown table', `select privacy.link_subject_through('vehicle', 'positions', 'device')`, 'PV001', UnknownObjectError],
  ] as const)('refuses %s, changing nothing', async (_what, sql, code, errorClass) => {
    const before = await db.pool().query(`select count(*)::int as n from privacy.subject_path`);
    const error = await failureOf(db.pool(), sql);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ code });
    expect((await db.pool().query(`select count(*)::int as n from privacy.subject_path`)).rows).toEqual(before.rows);
  });

  it('asks which foreign key when there are several to the parent', async () => {
    await db.pool().query(`create table public.handover (id bigint primary key,
                             from_vehicle bigint references public.vehicle, to_vehicle bigint references public.vehicle)`);
    const error = await failureOf(db.pool(), `select privacy.link_subject_through('vehicle', 'handover', 'vehicle')`);
    expect(error).toMatchObject({ code: 'PV402', object: 'public.handover' });
    expect(error.message).toContain('handover_from_vehicle_fkey, handover_to_vehicle_fkey');
    await db.pool().query(`select privacy.link_subject_through('vehicle', 'handover', 'vehicle', foreign_key => 'handover_to_vehicle_fkey')`);
    expect((await db.pool().query(`select constraint_name from privacy.subject_path where table_name = 'handover'`)).rows)
      .toEqual([{ constraint_name: 'handover_to_vehicle_fkey' }]);
  });
});
