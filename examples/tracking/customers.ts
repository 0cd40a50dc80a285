/**
 * Invents the tracking SaaS's customers (the tenants). The other generators build on the returned
 * plans, which carry what they need beyond the table row (city, contract dates as instants, …).
 */
import { dayMs, isoDate, isoTimestamp, startOfDay } from './calendar.ts';
import { createRandom } from './seeded-random.ts';
import type { Random } from './seeded-random.ts';
import { fictionalMobile, organisationNumber, personnummer } from './swedish-identifiers.ts';
import {
  cities, companyPrefixes, companySuffixes, companyTrades, firstNames, lastNames, privateMailDomains, streets,
} from './words.ts';
import type { City } from './words.ts';

/** A row of the customer table. */
export interface CustomerRow {
  id: number;
  kind: 'company' | 'consumer';
  name: string;
  org_number: string;
  phone: string;
  email: string;
  street: string;
  postal_code: string;
  city: string;
  country: string;
  contract_start: string;
  contract_end: string | null;
  created_at: string;
}

/** A customer row plus the facts the other generators derive their rows from. */
export interface CustomerPlan {
  /** 0-based position, the label of this customer's random streams. */
  index: number;
  row: CustomerRow;
  city: City;
  /** E-mail domain of a company (reserved `.example` TLD); null for consumers. */
  domain: string | null;
  contractStartMs: number;
  /** Instant the contract ended (end of its last day), or null while active. */
  contractEndMs: number | null;
  /** Address printed on invoices issued before movedAtMs, when the customer has moved. */
  formerAddress: string | null;
  movedAtMs: number;
}

/** Columns of customer in insertion order. */
export const customerColumns = [
  'id', 'kind', 'name', 'org_number', 'phone', 'email', 'street', 'postal_code', 'city', 'country',
  'contract_start', 'contract_end', 'created_at',
] as const;

/**
 * Invents `count` customers. Kinds and contract states follow the index (every 5th a consumer,
 * every 4th with an ended contract) so that even a handful of customers covers each case.
 */
export function generateCustomers(seed: number, asOfMs: number, count: number): CustomerPlan[] {
  const names = new Set<string>();
  const orgNumbers = new Set<string>();
  const domains = new Set<string>();
  const plans: CustomerPlan[] = [];
  for (let index = 0; index < count; index++) {
    const random = createRandom(seed, 'customer', index);
    const id = index + 1;
    const kind = index % 5 === 1 ? 'consumer' : 'company';
    const today = startOfDay(asOfMs);

    let contractEndDay: number | null = null;
    let contractStartDay: number;
    if (index % 4 === 2) {
      // Ended contracts spread over 12 years, so some are long past every retention period.
      contractEndDay = today - random.int(20, 12 * 365) * dayMs;
      contractStartDay = contractEndDay - random.int(365, 10 * 365) * dayMs;
    } else {
      contractStartDay = today - random.int(60, 15 * 365) * dayMs;
    }

    const city = random.pickWeighted(cities, (c) => c.weight);
    let name: string;
    let domain: string | null = null;
    let orgNumber: string;
    let email: string;
    if (kind === 'company') {
      name = uniqueCompanyName(random, names, city);
      domain = unique(domains, mailSlug(name.replace(/ (AB|Handelsbolag|Ekonomisk förening)$/, '')) + '.example',
        (attempt) => `${mailSlug(name)}-${attempt}.example`);
      orgNumber = unique(orgNumbers, organisationNumber(random), () => organisationNumber(random));
      email = `${random.pick(['info', 'kontakt', 'ekonomi'])}@${domain}`;
    } else {
      const first = random.pick(firstNames);
      const last = random.pick(lastNames);
      name = `${first} ${last}`;
      const born = isoDate(Date.UTC(random.int(1950, 2004), random.int(0, 11), random.int(1, 28)));
      orgNumber = unique(orgNumbers, personnummer(random, born), () => personnummer(random, born));
      email = `${mailSlug(first)}.${mailSlug(last)}${random.int(10, 99)}@${random.pick(privateMailDomains)}`;
    }

    const street = `${random.pick(streets)} ${random.int(1, 120)}`;
    const postalCode = `${city.postalPrefix} ${random.digits(2)}`;
    const moved = random.chance(0.3);
    const formerAddress = moved
      ? `${random.pick(streets)} ${random.int(1, 120)}, ${city.postalPrefix} ${random.digits(2)} ${city.name}`
      : null;
    const contractEndMs = contractEndDay === null ? null : contractEndDay + dayMs - 1000;
    const lastActive = contractEndMs ?? asOfMs;
    const movedAtMs = moved ? contractStartDay + Math.floor(random.next() * (lastActive - contractStartDay)) : 0;

    plans.push({
      index,
      row: {
        id,
        kind,
        name,
        org_number: orgNumber,
        phone: fictionalMobile(random),
        email,
        street,
        postal_code: postalCode,
        city: city.name,
        country: 'SE',
        contract_start: isoDate(contractStartDay),
        contract_end: contractEndDay === null ? null : isoDate(contractEndDay),
        created_at: isoTimestamp(contractStartDay - random.int(0, 20) * dayMs + officeHoursMs(random)),
      },
      city,
      domain,
      contractStartMs: contractStartDay,
      contractEndMs,
      formerAddress,
      movedAtMs,
    });
  }
  return plans;
}

/** A time of day between 07:00 and 18:00 UTC, in milliseconds, for timestamps people typed in. */
export function officeHoursMs(random: Random): number {
  return (7 * 3600 + random.int(0, 11 * 3600 - 1)) * 1000;
}

/** Lower-case ASCII for e-mail local parts and domains: å/ä → a, ö → o, é → e, other symbols dropped. */
export function mailSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[åä]/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/é/g, 'e')
    .replace(/[^a-z0-9]+/g, '');
}

/** Returns `first` if not in `taken`, else the first free alternative; records the result. */
export function unique(taken: Set<string>, first: string, alternative: (attempt: number) => string): string {
  let value = first;
  for (let attempt = 2; taken.has(value); attempt++) value = alternative(attempt);
  taken.add(value);
  return value;
}

function uniqueCompanyName(random: Random, taken: Set<string>, city: City): string {
  const draw = (attempt: number): string => {
    const stem = `${random.pick(companyPrefixes)}${random.pick(companyTrades)}`;
    const suffix = random.pick(companySuffixes);
    // After a few collisions add the city, as real companies do when their name is taken; then a number.
    if (attempt < 4) return stem + suffix;
    return attempt < 20 ? `${stem} ${city.name}${suffix}` : `${stem} ${city.name} ${attempt}${suffix}`;
  };
  return unique(taken, draw(1), draw);
}
