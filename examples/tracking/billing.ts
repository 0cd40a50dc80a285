/**
 * Invents the monthly invoices of each customer's last 10 contract years and the payments made
 * against them, including the unpaid ones that make debts (and so retention holds) interesting.
 */
import { dayMs, isoDate, isoTimestamp, monthStart } from './calendar.ts';
import type { CustomerPlan } from './customers.ts';
import { vehiclesPerCustomer } from './fleet.ts';
import { createRandom } from './seeded-random.ts';
import type { Random } from './seeded-random.ts';
import { bankgiroNumber, swishAlias } from './swedish-identifiers.ts';

/** A row of the invoice table. */
export interface InvoiceRow {
  id: number;
  customer_id: number;
  number: string;
  issued_on: string;
  due_on: string;
  fiscal_year_end: string;
  amount_sek: string;
  vat_sek: string;
  status: 'open' | 'paid' | 'overdue' | 'written_off';
  billing_name: string;
  billing_address: string;
}

/** A row of the payment table. */
export interface PaymentRow {
  id: number;
  customer_id: number;
  invoice_id: number;
  paid_at: string;
  amount_sek: string;
  method: PaymentMethod;
  payer_reference: string;
  created_at: string;
}

type PaymentMethod = 'card' | 'bankgiro' | 'swish' | 'autogiro';

/** Columns of invoice in insertion order. */
export const invoiceColumns = [
  'id', 'customer_id', 'number', 'issued_on', 'due_on', 'fiscal_year_end', 'amount_sek', 'vat_sek', 'status',
  'billing_name', 'billing_address',
] as const;

/** Columns of payment in insertion order. */
export const paymentColumns = [
  'id', 'customer_id', 'invoice_id', 'paid_at', 'amount_sek', 'method', 'payer_reference', 'created_at',
] as const;

/** All customers' invoices and payments; ids are numbered in customer order. */
export interface Billing {
  invoices: InvoiceRow[];
  payments: PaymentRow[];
}

/**
 * Invents one invoice per month, issued on the 1st and due 30 days later, over the last 10 years of
 * each contract. Due invoices are mostly paid, a few overdue (sometimes partly paid) or written off;
 * invoices not yet due are open, some already paid.
 */
export function generateBilling(seed: number, asOfMs: number, customers: readonly CustomerPlan[]): Billing {
  const invoices: InvoiceRow[] = [];
  const payments: PaymentRow[] = [];
  for (const customer of customers) {
    const random = createRandom(seed, 'billing', customer.index);
    const customerId = customer.row.id;
    const until = Math.min(customer.contractEndMs ?? asOfMs, asOfMs);
    // The seller's subsidiary that bills every fifth customer closes its books on 30 June.
    const brokenFiscalYear = customer.index % 5 === 2;
    const pricePerVehicleOre = random.int(149, 349) * 100;
    const payer = payerOf(random, customer);

    const first = Math.max(monthStart(customer.contractStartMs, 1), monthStart(until, -119));
    for (let issued = first, n = 0; issued <= until; issued = monthStart(issued, 1), n++) {
      const due = issued + 30 * dayMs;
      const installation = issued === monthStart(customer.contractStartMs, 1) ? vehiclesPerCustomer * 99_500 : 0;
      const amountOre = vehiclesPerCustomer * pricePerVehicleOre + installation;
      const vatOre = Math.round(amountOre / 4);
      const totalOre = amountOre + vatOre;
      const invoiceId = invoices.length + 1;
      const status = invoiceStatus(random, due, asOfMs);
      const year = new Date(issued).getUTCFullYear();
      const month = new Date(issued).getUTCMonth() + 1;
      invoices.push({
        id: invoiceId,
        customer_id: customerId,
        number: `${year}${String(month).padStart(2, '0')}-${String(customerId).padStart(5, '0')}`,
        issued_on: isoDate(issued),
        due_on: isoDate(due),
        fiscal_year_end: brokenFiscalYear
          ? `${month <= 6 ? year : year + 1}-06-30`
          : `${year}-12-31`,
        amount_sek: sek(amountOre),
        vat_sek: sek(vatOre),
        status,
        billing_name: customer.row.name,
        billing_address: customer.formerAddress !== null && issued < customer.movedAtMs
          ? customer.formerAddress
          : `${customer.row.street}, ${customer.row.postal_code} ${customer.row.city}`,
      });

      const paidOre = status === 'paid' ? totalOre
        : status === 'overdue' && random.chance(0.5) ? Math.round(totalOre * random.int(30, 70) / 100)
        : status === 'open' && random.chance(0.2) ? totalOre
        : 0;
      if (paidOre > 0) {
        const paidAt = paymentTime(random, issued, due, asOfMs, status);
        const method = random.chance(0.9) ? payer.method : random.pick(payer.alternatives);
        payments.push({
          id: payments.length + 1,
          customer_id: customerId,
          invoice_id: invoiceId,
          paid_at: isoTimestamp(paidAt),
          amount_sek: sek(paidOre),
          method,
          payer_reference: payer.reference(method),
          created_at: isoTimestamp(Math.min(paidAt + random.int(1, 180) * 60_000, asOfMs)),
        });
      }
    }
  }
  return { invoices, payments };
}

function invoiceStatus(random: Random, dueMs: number, asOfMs: number): InvoiceRow['status'] {
  if (dueMs >= asOfMs) return 'open';
  const draw = random.next();
  if (draw >= 0.05) return 'paid';
  // Claims are written off once collection has failed for a while; some old ones are still pursued.
  return asOfMs - dueMs > 2 * 365 * dayMs && draw < 0.035 ? 'written_off' : 'overdue';
}

/** Mostly a few days before the due date, sometimes late; partial payments come after it. */
function paymentTime(random: Random, issuedMs: number, dueMs: number, asOfMs: number, status: string): number {
  const seconds = random.int(0, 86_399) * 1000;
  let at: number;
  if (status === 'overdue') at = dueMs + random.int(10, 60) * dayMs + seconds;
  else if (random.chance(0.1)) at = dueMs + random.int(1, 40) * dayMs + seconds;
  else at = dueMs - random.int(0, 25) * dayMs + seconds;
  return Math.max(issuedMs + seconds, Math.min(at, asOfMs - 3_600_000));
}

interface Payer {
  method: PaymentMethod;
  alternatives: PaymentMethod[];
  reference(method: PaymentMethod): string;
}

/**
 * How a customer usually pays and what the payment shows about the payer: consumers pay by card,
 * Swish (their phone number) or autogiro (payer number = personnummer); companies by bankgiro or
 * autogiro (payer number = organisationsnummer).
 */
function payerOf(random: Random, customer: CustomerPlan): Payer {
  const alternatives: PaymentMethod[] = customer.row.kind === 'consumer'
    ? ['card', 'swish', 'autogiro']
    : ['bankgiro', 'autogiro'];
  const cardLast4 = random.digits(4);
  const bankgiro = bankgiroNumber(random);
  return {
    method: random.pick(alternatives),
    alternatives,
    reference: (method) => {
      switch (method) {
        case 'card': return `**** **** **** ${cardLast4}`;
        case 'swish': return swishAlias(customer.row.phone);
        case 'bankgiro': return bankgiro;
        case 'autogiro': return customer.row.org_number.replace('-', '');
      }
    },
  };
}

function sek(ore: number): string {
  return `${Math.floor(ore / 100)}.${String(ore % 100).padStart(2, '0')}`;
}
