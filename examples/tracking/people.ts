/**
 * Invents the people at each customer: contact persons and the admin users of the web app.
 */
import { dayMs, isoTimestamp } from './calendar.ts';
import { mailSlug, officeHoursMs, unique } from './customers.ts';
import type { CustomerPlan } from './customers.ts';
import { createRandom } from './seeded-random.ts';
import type { Random } from './seeded-random.ts';
import { fictionalMobile } from './swedish-identifiers.ts';
import { contactTitles, firstNames, lastNames, privateMailDomains } from './words.ts';

/** A row of the contact_person table. */
export interface ContactPersonRow {
  id: number;
  customer_id: number;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  title: string | null;
  created_at: string;
}

/** A row of the admin_user table. */
export interface AdminUserRow {
  id: number;
  customer_id: number;
  email: string;
  full_name: string;
  password_hash: string;
  last_login_at: string | null;
  last_login_ip: string | null;
  created_at: string;
}

/** Columns of contact_person in insertion order. */
export const contactPersonColumns = [
  'id', 'customer_id', 'first_name', 'last_name', 'email', 'phone', 'title', 'created_at',
] as const;

/** Columns of admin_user in insertion order. */
export const adminUserColumns = [
  'id', 'customer_id', 'email', 'full_name', 'password_hash', 'last_login_at', 'last_login_ip', 'created_at',
] as const;

/** The people of all customers; ids are numbered in customer order. */
export interface People {
  contacts: ContactPersonRow[];
  adminUsers: AdminUserRow[];
}

/** Invents 2–4 contact persons and 1–3 admin users per customer. */
export function generatePeople(seed: number, asOfMs: number, customers: readonly CustomerPlan[]): People {
  const contacts: ContactPersonRow[] = [];
  const adminUsers: AdminUserRow[] = [];
  const adminEmails = new Set<string>();
  for (const customer of customers) {
    const random = createRandom(seed, 'people', customer.index);
    const customerId = customer.row.id;
    const activeUntil = customer.contractEndMs ?? asOfMs;
    const joinedAt = (): number => Math.min(
      customer.contractStartMs + random.int(0, 3 * 365) * dayMs + officeHoursMs(random),
      activeUntil - dayMs,
    );

    for (let n = random.int(2, 4); n > 0; n--) {
      const first = random.pick(firstNames);
      const last = random.pick(lastNames);
      contacts.push({
        id: contacts.length + 1,
        customer_id: customerId,
        first_name: first,
        last_name: last,
        email: personalEmail(random, customer, first, last),
        phone: fictionalMobile(random),
        // A consumer's contacts are household members, who have no job title towards the SaaS.
        title: customer.row.kind === 'company' ? random.pick(contactTitles) : null,
        created_at: isoTimestamp(joinedAt()),
      });
    }

    for (let n = random.int(1, 3); n > 0; n--) {
      const first = random.pick(firstNames);
      const last = random.pick(lastNames);
      const email = unique(adminEmails, personalEmail(random, customer, first, last),
        (attempt) => personalEmail(random, customer, first, last).replace('@', `${attempt}@`));
      const createdAt = joinedAt();
      const lastLogin = lastLoginMs(random, createdAt, activeUntil);
      adminUsers.push({
        id: adminUsers.length + 1,
        customer_id: customerId,
        email,
        full_name: `${first} ${last}`,
        password_hash: fakeBcryptHash(random),
        last_login_at: lastLogin === null ? null : isoTimestamp(lastLogin),
        last_login_ip: lastLogin === null ? null : documentationAddress(random),
        created_at: isoTimestamp(createdAt),
      });
    }
  }
  return { contacts, adminUsers };
}

function personalEmail(random: Random, customer: CustomerPlan, first: string, last: string): string {
  const local = `${mailSlug(first)}.${mailSlug(last)}`;
  return customer.domain === null
    ? `${local}${random.int(10, 99)}@${random.pick(privateMailDomains)}`
    : `${local}@${customer.domain}`;
}

/** Users sign in during the last 60 days of the contract (up to now for active ones); some never did. */
function lastLoginMs(random: Random, createdAt: number, activeUntil: number): number | null {
  if (random.chance(0.15)) return null;
  const earliest = Math.max(createdAt, activeUntil - 60 * dayMs);
  return earliest + Math.floor(random.next() * (activeUntil - earliest) / 1000) * 1000;
}

const bcryptAlphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Looks like a bcrypt hash ($2b$, cost 12, 22-character salt, 31-character hash) of no password. */
function fakeBcryptHash(random: Random): string {
  let text = '$2b$12$';
  for (let i = 0; i < 53; i++) text += random.pick([...bcryptAlphabet]);
  return text;
}

/** An address from the documentation ranges (RFC 5737, RFC 3849), which no real client has. */
function documentationAddress(random: Random): string {
  switch (random.int(0, 3)) {
    case 0: return `192.0.2.${random.int(1, 254)}`;
    case 1: return `198.51.100.${random.int(1, 254)}`;
    case 2: return `203.0.113.${random.int(1, 254)}`;
    default: return `2001:db8::${random.int(1, 0xffff).toString(16)}`;
  }
}
