/**
 * Invents each customer's vehicles and GPS trackers, and the periods in which each tracker drove a
 * vehicle, from which the SQL side generates trips and positions.
 */
import { dayMs, isoDate, isoTimestamp, startOfDay } from './calendar.ts';
import { mailSlug, officeHoursMs, unique } from './customers.ts';
import type { CustomerPlan } from './customers.ts';
import { createRandom } from './seeded-random.ts';
import type { Random } from './seeded-random.ts';
import { fictionalMobile, imei, registrationNumber, simIccid, vin } from './swedish-identifiers.ts';
import { firstNames, lastNames, vehicleMakes } from './words.ts';
import type { City } from './words.ts';

/** A row of the vehicle table. */
export interface VehicleRow {
  id: number;
  customer_id: number;
  registration_number: string;
  vin: string;
  make: string;
  model: string;
  driver_name: string | null;
  notes: string | null;
  created_at: string;
}

/** A row of the device table. */
export interface DeviceRow {
  id: number;
  customer_id: number;
  vehicle_id: number | null;
  imei: string;
  serial: string;
  sim_iccid: string;
  phone_number: string;
  installed_at: string;
  removed_at: string | null;
}

/** Columns of vehicle in insertion order. */
export const vehicleColumns = [
  'id', 'customer_id', 'registration_number', 'vin', 'make', 'model', 'driver_name', 'notes', 'created_at',
] as const;

/** Columns of device in insertion order. */
export const deviceColumns = [
  'id', 'customer_id', 'vehicle_id', 'imei', 'serial', 'sim_iccid', 'phone_number', 'installed_at', 'removed_at',
] as const;

/** A period in which a tracker was fitted to a vehicle and reported positions. */
export interface DrivingPeriod {
  deviceId: number;
  vehicleId: number;
  customerId: number;
  /** Who may drive: the regular driver several times over (so they drive most trips), or pool drivers. */
  drivers: string[];
  city: City;
  fromMs: number;
  toMs: number;
}

/** All customers' vehicles and trackers; ids are numbered in customer order. */
export interface Fleet {
  vehicles: VehicleRow[];
  devices: DeviceRow[];
  periods: DrivingPeriod[];
}

/** Vehicles per customer; each starts with one tracker. */
export const vehiclesPerCustomer = 4;

/**
 * Invents 4 vehicles per customer, each with a tracker. Trackers of former customers were removed
 * shortly after the contract ended; now and then an active customer's tracker was returned and
 * replaced, which leaves the returned one without a vehicle.
 */
export function generateFleet(seed: number, asOfMs: number, customers: readonly CustomerPlan[]): Fleet {
  const vehicles: VehicleRow[] = [];
  const devices: DeviceRow[] = [];
  const periods: DrivingPeriod[] = [];
  const taken = { plates: new Set<string>(), vins: new Set<string>(), imeis: new Set<string>(),
    serials: new Set<string>(), iccids: new Set<string>() };

  for (const customer of customers) {
    const random = createRandom(seed, 'fleet', customer.index);
    const customerId = customer.row.id;
    const activeUntil = customer.contractEndMs ?? asOfMs;

    for (let n = 0; n < vehiclesPerCustomer; n++) {
      const make = random.pick(vehicleMakes);
      const createdMs = customer.contractStartMs + random.int(0, 30) * dayMs + officeHoursMs(random);
      const driver = random.chance(0.75) ? `${random.pick(firstNames)} ${random.pick(lastNames)}` : null;
      const vehicle: VehicleRow = {
        id: vehicles.length + 1,
        customer_id: customerId,
        registration_number: unique(taken.plates, registrationNumber(random), () => registrationNumber(random)),
        vin: unique(taken.vins, vin(random, make.wmi, yearOf(createdMs) - random.int(0, 4)),
          () => vin(random, make.wmi, yearOf(createdMs))),
        make: make.make,
        model: random.pick(make.models),
        driver_name: driver,
        notes: vehicleNote(random, createdMs, activeUntil),
        created_at: isoTimestamp(createdMs),
      };
      vehicles.push(vehicle);
      const drivers = driver === null
        ? Array.from({ length: 3 }, () => `${random.pick(firstNames)} ${random.pick(lastNames)}`)
        : [driver, driver, driver, `${random.pick(firstNames)} ${random.pick(lastNames)}`];

      const installedMs = createdMs + random.int(1, 5) * dayMs;
      let removedMs: number | null = null;
      let returned = false;
      if (customer.contractEndMs !== null) {
        removedMs = Math.min(startOfDay(customer.contractEndMs) + random.int(1, 14) * dayMs + officeHoursMs(random), asOfMs);
      } else if (n > 0 && activeUntil - installedMs > 90 * dayMs && random.chance(0.1)) {
        removedMs = installedMs + 30 * dayMs + Math.floor(random.next() * (activeUntil - installedMs - 60 * dayMs));
        returned = true;
      }
      const tracker = newDevice(random, taken, customerId, installedMs, removedMs);
      tracker.id = devices.length + 1;
      tracker.vehicle_id = returned ? null : vehicle.id;
      devices.push(tracker);
      periods.push({
        deviceId: tracker.id, vehicleId: vehicle.id, customerId, drivers, city: customer.city,
        fromMs: installedMs, toMs: Math.min(removedMs ?? activeUntil, activeUntil),
      });

      if (returned && removedMs !== null) {
        const replacedMs = removedMs + random.int(1, 3) * dayMs;
        const replacement = newDevice(random, taken, customerId, replacedMs, null);
        replacement.id = devices.length + 1;
        replacement.vehicle_id = vehicle.id;
        devices.push(replacement);
        periods.push({
          deviceId: replacement.id, vehicleId: vehicle.id, customerId, drivers, city: customer.city,
          fromMs: replacedMs, toMs: activeUntil,
        });
      }
    }
  }
  return { vehicles, devices, periods };
}

function newDevice(
  random: Random,
  taken: { imeis: Set<string>; serials: Set<string>; iccids: Set<string> },
  customerId: number,
  installedMs: number,
  removedMs: number | null,
): DeviceRow {
  const serial = () => `GT${String(yearOf(installedMs)).slice(2)}-${random.digits(6)}`;
  return {
    id: 0,
    customer_id: customerId,
    vehicle_id: null,
    imei: unique(taken.imeis, imei(random), () => imei(random)),
    serial: unique(taken.serials, serial(), serial),
    sim_iccid: unique(taken.iccids, simIccid(random), () => simIccid(random)),
    phone_number: fictionalMobile(random),
    installed_at: isoTimestamp(installedMs),
    removed_at: removedMs === null ? null : isoTimestamp(removedMs),
  };
}

function yearOf(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/** Free-text notes as users write them; some carry a phone number, an e-mail address or a name. */
function vehicleNote(random: Random, fromMs: number, untilMs: number): string | null {
  if (random.chance(0.4)) return null;
  const someDay = isoDate(fromMs + Math.floor(random.next() * Math.max(untilMs - fromMs, 0)));
  const someone = random.pick(firstNames);
  switch (random.int(0, 7)) {
    case 0: return 'Servicebok i handskfacket.';
    case 1: return `Vinterdäck bytta ${someDay}.`;
    case 2: return `Nyckel hos ${someone}, ring ${fictionalMobile(random)}.`;
    case 3: return 'Skada på höger backspegel, anmäld till försäkringsbolaget.';
    case 4: return `Vid larm kontakta ${mailSlug(someone)}@verkstad.example.`;
    case 5: return `Lånas ut till ${someone} ${random.pick(lastNames)} på helger.`;
    case 6: return 'Reservnyckel på kontoret.';
    default: return `Service bokad ${someDay}, verkstaden nås på ${fictionalMobile(random)}.`;
  }
}
