/**
 * Installs the tracking reference schema and fills it with deterministic invented data: the same
 * (scale, seed, asOf) gives identical table contents on every machine.
 *
 * Small tables are generated in TypeScript from seeded random streams and inserted in batches;
 * trips and positions are generated inside PostgreSQL from (seed, row number) so that millions of
 * rows never cross the wire.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.ts';
import type pg from 'pg';
import { generateBilling, invoiceColumns, paymentColumns } from './billing.ts';
import { addMonths, dayMs, isoDate } from './calendar.ts';
import { customerColumns, generateCustomers } from './customers.ts';
import { deviceColumns, generateFleet, vehicleColumns } from './fleet.ts';
import type { DrivingPeriod } from './fleet.ts';
import { insertRows } from './insert-rows.ts';
import { loadWithoutIndexes } from './bulk-load.ts';
import { adminUserColumns, contactPersonColumns, generatePeople } from './people.ts';

/** How much data to generate, from which seed, and which instant counts as "now". */
export interface SeedOptions {
  /** Multiplies every row count (customers, trips, positions …); fractions such as 0.05 are fine. Default 1. */
  scale?: number;
  /** Integer from 0 to 2147483647; another seed gives other data of the same shape. Default 1. */
  seed?: number;
  /** The instant the data is generated "as of": contracts, invoices and positions end here. Default 2026-06-30T12:00:00Z. */
  asOf?: Date;
}

/** What seedTracking generated. */
export interface SeedSummary {
  scale: number;
  seed: number;
  /** ISO 8601 (UTC) form of the asOf instant used. */
  asOf: string;
  /** Rows inserted per table. */
  rows: Record<string, number>;
}

/** A fixed default "now", so that tests and demos see the same data whenever they run. */
const defaultAsOf = new Date('2026-06-30T12:00:00Z');

/** Row counts at scale 1; vehicles, devices, people and invoices follow from the customers. */
const countsAtScale1 = { customers: 50, trips: 5_000, positions: 100_000 };

/** Positions are kept for the last 6 months before asOf. */
const positionMonths = 6;

/** Shorter driving periods are left without trips, which would otherwise crowd together. */
const minimumPeriodMs = 2 * dayMs;

/**
 * Creates the tracking tables and the partition function in schema public of the connected
 * database, in one transaction (so call it outside one).
 */
export async function installTrackingSchema(db: pg.ClientBase): Promise<void> {
  const schema = await readSql('schema.sql');
  await db.query('begin');
  try {
    // schema.sql names its tables unqualified, as psql users expect; here they must land in public.
    await db.query(`set local search_path = public`);
    await db.query(schema);
    await db.query('commit');
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}

/**
 * Fills the (empty) tracking tables with invented data and returns the row counts.
 * Runs in its own transaction, so call it outside one; on error nothing is left behind.
 */
export async function seedTracking(db: pg.ClientBase, options: SeedOptions = {}): Promise<SeedSummary> {
  const scale = options.scale ?? 1;
  const seed = options.seed ?? 1;
  const asOf = options.asOf ?? defaultAsOf;
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`seedTracking: scale must be a positive number, got ${scale}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2_147_483_647) {
    throw new RangeError(`seedTracking: seed must be an integer from 0 to 2147483647, got ${seed}`);
  }
  const asOfMs = asOf.getTime();
  if (Number.isNaN(asOfMs)) throw new RangeError('seedTracking: asOf is an invalid Date');

  const customers = generateCustomers(seed, asOfMs, Math.max(1, Math.round(countsAtScale1.customers * scale)));
  const people = generatePeople(seed, asOfMs, customers);
  const fleet = generateFleet(seed, asOfMs, customers);
  const billing = generateBilling(seed, asOfMs, customers);
  const trips = Math.max(1, Math.round(countsAtScale1.trips * scale));
  const positions = Math.max(2 * trips, Math.round(countsAtScale1.positions * scale));
  const positionsFromMs = addMonths(asOfMs, -positionMonths);
  const periods = fleet.periods
    .map((period) => ({ ...period, fromMs: Math.max(period.fromMs, positionsFromMs), toMs: Math.min(period.toMs, asOfMs) }))
    .filter((period) => period.toMs - period.fromMs >= minimumPeriodMs);

  const rows: Record<string, number> = {};
  await db.query('begin');
  try {
    await db.query('set local search_path = public');
    const existing = await db.query('select exists (select from customer) as seeded');
    if (existing.rows[0]?.seeded) throw new Error('seedTracking: the tracking tables already hold data; seed an empty schema');

    rows['customer'] = await insertRows(db, 'customer', customerColumns, customers.map((c) => c.row));
    rows['contact_person'] = await insertRows(db, 'contact_person', contactPersonColumns, people.contacts);
    rows['admin_user'] = await insertRows(db, 'admin_user', adminUserColumns, people.adminUsers);
    rows['invoice'] = await insertRows(db, 'invoice', invoiceColumns, billing.invoices);
    rows['payment'] = await insertRows(db, 'payment', paymentColumns, billing.payments);
    rows['vehicle'] = await insertRows(db, 'vehicle', vehicleColumns, fleet.vehicles);
    rows['device'] = await insertRows(db, 'device', deviceColumns, fleet.devices);

    await db.query('select public.tracking_ensure_position_partitions($1::date, $2::date)',
      [isoDate(positionsFromMs), isoDate(asOfMs)]);
    if (periods.length > 0) {
      await db.query(await readSql('seed-trip-plan.sql'), tripPlanParameters(seed, trips, positions, periods));
      const tripSql = await readSql('seed-trips.sql');
      const positionSql = await readSql('seed-positions.sql');
      rows['trip'] = await loadWithoutIndexes(db, 'public.trip', async () => (await db.query(tripSql)).rowCount ?? 0);
      rows['position'] = await loadWithoutIndexes(db, 'public.position',
        async () => (await db.query(positionSql, [seed])).rowCount ?? 0);
    } else {
      rows['trip'] = 0;
      rows['position'] = 0;
    }

    // The ids were given explicitly; move each identity sequence past them so later inserts work.
    for (const table of Object.keys(rows)) {
      await db.query(
        `select setval(pg_get_serial_sequence($1, 'id'), max_id) from (select max(id) as max_id from ${table}) m
          where max_id is not null`,
        [`public.${table}`],
      );
    }
    await db.query(`analyze ${Object.keys(rows).join(', ')}`);
    await db.query('commit');
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
  return { scale, seed, asOf: asOf.toISOString(), rows };
}

function tripPlanParameters(seed: number, trips: number, positions: number, periods: readonly DrivingPeriod[]): unknown[] {
  return [
    seed,
    trips,
    positions,
    periods.map((p) => p.deviceId),
    periods.map((p) => p.vehicleId),
    periods.map((p) => p.customerId),
    periods.map((p) => p.drivers.join('|')),
    periods.map((p) => p.city.latMicro),
    periods.map((p) => p.city.lonMicro),
    periods.map((p) => p.city.lonMicroPerKm),
    periods.map((p) => Math.floor(p.fromMs / 1000)),
    periods.map((p) => Math.floor(p.toMs / 1000)),
  ];
}

// From the package folder, not from this module: the compiled copy under dist/ has no .sql files.
async function readSql(file: string): Promise<string> {
  return readFile(join(packageRoot(), 'examples', 'tracking', file), 'utf8');
}
