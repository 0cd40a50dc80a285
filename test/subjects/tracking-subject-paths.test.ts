import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

// The tracking schema (examples/tracking) seen from a GPS tracker: its positions and trips carry
// its id, and the vehicle it is fitted to is a row its own row references (device.vehicle_id).
// A vehicle that had several trackers over time belongs to each of them.
const db = useTestDatabase('tracking');
let shared: { vehicle: string; devices: string[] };
let alone: { vehicle: string; device: string };

async function ids(sql: string, values: unknown[]): Promise<string[]> {
  return (await db.pool().query(sql, values)).rows.map((r) => String(r.id));
}

beforeAll(async () => {
  await db.pool().query(`
    select privacy.declare_subject_type('device', 'device', 'id');
    select privacy.link_subject('device', 'position', 'device_id');
    select privacy.link_subject('device', 'trip', 'device_id');
    select privacy.link_subject_through('device', 'vehicle', 'device');   -- device.vehicle_id → vehicle`);
  // A tracker removed from one vehicle keeps it as history; make one such pair: the second
  // tracker of a customer, removed, was once fitted to the vehicle the first one is in.
  await db.pool().query(`
    with pair as (
      select a.vehicle_id, b.id as b_id from device a join device b on b.customer_id = a.customer_id and b.id <> a.id
      where a.vehicle_id is not null order by a.id, b.id limit 1)
    update device d set vehicle_id = pair.vehicle_id, removed_at = coalesce(d.removed_at, d.installed_at)
    from pair where d.id = pair.b_id`);
  const { rows } = await db.pool().query(`
    select vehicle_id::text as vehicle, array_agg(id::text order by id) as devices from device
    where vehicle_id is not null group by vehicle_id order by count(*) desc, vehicle_id`);
  const several = rows.find((r) => r.devices.length > 1);
  const one = rows.find((r) => r.devices.length === 1);
  if (!several || !one) throw new Error('the tracking seed has no vehicle with several trackers, or none with one');
  shared = { vehicle: several.vehicle, devices: several.devices };
  alone = { vehicle: one.vehicle, device: one.devices[0] };
});

describe('subject paths on the tracking schema', () => {
  it('exports a tracker\'s positions, trips and the vehicle it is fitted to, and nothing of another tracker', async () => {
    const device = shared.devices[0]!;
    const { rows: [{ document }] } = await db.pool().query(`select privacy.export_subject('device', $1) as document`, [device]);
    const exported = Object.fromEntries((document.tables as { table: string; rows: { id: unknown }[] }[])
      .map((t) => [t.table, t.rows.map((r) => String(r.id)).sort()]));
    expect(exported).toEqual({
      'public.device': [device],
      'public.vehicle': [shared.vehicle],
      'public."position"': (await ids(`select id from position where device_id = $1`, [device])).sort(),
      'public.trip': (await ids(`select id from trip where device_id = $1`, [device])).sort(),
    });
  });

  it('an erasure keeps the vehicle another tracker was also fitted to, for it, and reports it', async () => {
    const [device, other] = shared.devices as [string, string];
    const { rows: report } = await db.pool().query(`select relation, outcome, row_count::int, kept_by
                                                    from privacy.erase_subject('device', $1, 'test: Art. 17')`, [device]);
    expect(report).toContainEqual({ relation: 'public.vehicle', outcome: 'kept', row_count: 1, kept_by: 'shared:device' });
    expect(report.filter((r) => r.relation === 'public.vehicle')).toHaveLength(1);
    const left = await db.pool().query(`select (select count(*)::int from vehicle where id = $1) as vehicle,
                                               (select count(*)::int from position where device_id = $2) as positions,
                                               (select count(*)::int from trip where device_id = $2) as trips`,
      [shared.vehicle, device]);
    expect(left.rows[0]).toEqual({ vehicle: 1, positions: 0, trips: 0 });
    const { rows: [{ document }] } = await db.pool().query(`select privacy.export_subject('device', $1) as document`, [other]);
    expect((document.tables as { table: string }[]).map((t) => t.table)).toContain('public.vehicle');
  });

  it('an erasure takes the vehicle only that tracker was fitted to along', async () => {
    const { rows: report } = await db.pool().query(`select relation, outcome from privacy.erase_subject('device', $1, 'test: Art. 17')`,
      [alone.device]);
    expect(report.filter((r) => r.relation === 'public.vehicle').map((r) => r.outcome)).not.toContain('kept');
    const { rows } = await db.pool().query(`select count(*)::int as n from vehicle where id = $1`, [alone.vehicle]);
    expect(rows[0].n).toBe(0);
  });
});
