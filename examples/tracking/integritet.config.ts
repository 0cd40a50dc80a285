// The privacy policy of the reference tracking SaaS (schema.sql): every column classified, how
// restricted roles read it, how retention anonymizes it, who the data is about, and how long it
// is kept. Check it with `integritet plan`, apply it with `integritet apply`.
//
// Where a column's constraints check a format (organisationsnummer, IMEI) the anonymized value is
// a fake that passes them (fake_organisationsnummer, fake_imei: valid check digits, recognisably
// fake, unique); `keep` leaves what is no longer personal once the rest of the row is anonymized
// (amounts, whether a trip was private). `integritet lint` and `verify` try every anonymization
// against the schema's constraints before a sweep does.
import { definePolicy } from '../../src/index.ts';

const tenant = { tenantColumn: 'customer_id' } as const;

export default definePolicy({
  controller: {
    name: 'Exempel Fordonsspårning AB',
    contact: 'integritet@fordonsspårning.example',
    dataProtectionOfficer: 'dpo@fordonsspårning.example',
  },
  tables: {
    customer: {
      tenantColumn: 'id', // the tenant table: each customer sees its own row
      purpose: 'Customer relationship: contract, support and invoicing of the tracking service',
      legalBasis: 'contract',
      columns: {
        id: { category: 'not_personal' },
        kind: { category: 'not_personal' },
        name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 }, anonymize: 'fake', anonymizeParams: { kind: 'full_name' } },
        // A personnummer for consumers: a fake organisationsnummer in its place (format check, unique).
        org_number: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 2, keepLast: 0 },
                      anonymize: 'fake_organisationsnummer', anonymizeParams: { unique: true } },
        phone: { category: 'contact', mask: 'phone', anonymize: 'null' },
        email: { category: 'contact', mask: 'email', anonymize: 'null' },
        street: { category: 'contact', mask: 'redact', anonymize: 'null' },
        postal_code: { category: 'contact', mask: 'partial', maskParams: { keepFirst: 2, keepLast: 0 }, anonymize: 'null' },
        city: { category: 'contact', anonymize: 'null' },
        country: { category: 'not_personal' },
        contract_start: { category: 'not_personal' },
        contract_end: { category: 'not_personal' },
        created_at: { category: 'not_personal' },
      },
      // Claims on consumers are time-barred after 3 years (preskriptionslagen); debts beyond that are holds.
      retention: { anchor: 'contract_end', keep: '3 years', action: 'anonymize', timeZone: 'Europe/Stockholm' },
    },
    contact_person: {
      ...tenant,
      purpose: "Communication with the people who act for a customer",
      legalBasis: 'legitimate_interests',
      columns: {
        id: { category: 'not_personal' },
        customer_id: { category: 'not_personal' },
        first_name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 }, anonymize: 'fake', anonymizeParams: { kind: 'first_name' } },
        last_name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 }, anonymize: 'fake', anonymizeParams: { kind: 'last_name' } },
        email: { category: 'contact', mask: 'email', anonymize: 'null' },
        phone: { category: 'contact', mask: 'phone', anonymize: 'null' },
        title: { category: 'personal', anonymize: 'null' },
        created_at: { category: 'not_personal' },
        ended_at: { category: 'not_personal' },
      },
      // Gone a year after they stopped acting for the customer; erasing the customer takes the rest.
      retention: { anchor: 'ended_at', keep: '1 year', action: 'delete' },
    },
    admin_user: {
      ...tenant,
      purpose: "Sign-in to the customers' web app and security logging",
      legalBasis: ['contract', 'legitimate_interests'],
      columns: {
        id: { category: 'not_personal' },
        customer_id: { category: 'not_personal' },
        email: { category: 'contact', mask: 'email', anonymize: 'pseudonym' },
        full_name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 }, anonymize: 'fake', anonymizeParams: { kind: 'full_name' } },
        password_hash: { category: 'credential', anonymize: 'redact', anonymizeParams: { replacement: '!' } },
        last_login_at: { category: 'technical', mask: 'time', maskParams: { unit: 'day' }, anonymize: 'null' },
        // Only the network is ever stored: 203.0.113.77 → 203.0.113.0/24.
        last_login_ip: { category: 'technical', anonymize: 'null', write: 'truncate_ip' },
        created_at: { category: 'not_personal' },
      },
      retention: { anchor: 'last_login_at', keep: '2 years', action: 'delete' },
    },
    invoice: {
      ...tenant,
      purpose: 'Invoicing, and bookkeeping as the law requires',
      legalBasis: ['contract', 'legal_obligation'],
      columns: {
        id: { category: 'not_personal' },
        customer_id: { category: 'not_personal' },
        number: { category: 'not_personal' },
        issued_on: { category: 'not_personal' },
        due_on: { category: 'not_personal' },
        fiscal_year_end: { category: 'not_personal' },
        amount_sek: { category: 'financial', mask: 'generalize', maskParams: { step: 1000 } },
        vat_sek: { category: 'financial', mask: 'generalize', maskParams: { step: 250 } },
        status: { category: 'financial' }, // overdue and written_off reveal a debt
        billing_name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 }, anonymize: 'redact', anonymizeParams: { replacement: 'anonymized' } },
        billing_address: { category: 'contact', mask: 'redact', anonymize: 'redact', anonymizeParams: { replacement: 'anonymized' } },
      },
      // Bokföringslagen 7 kap. 2 §: kept to the end of the 7th year after the fiscal year ended.
      // Open and overdue invoices are debts: a debt hold on the customer keeps them.
      retention: {
        anchor: 'issued_on', keep: '1 year', action: 'anonymize', minimum: 'bookkeeping', minimumAnchor: 'fiscal_year_end',
        filter: { status: ['paid', 'written_off'] },
      },
    },
    payment: {
      ...tenant,
      purpose: 'Payments received against invoices, and bookkeeping',
      legalBasis: ['contract', 'legal_obligation'],
      columns: {
        id: { category: 'not_personal' },
        customer_id: { category: 'not_personal' },
        invoice_id: { category: 'not_personal' },
        paid_at: { category: 'financial', mask: 'generalize', maskParams: { unit: 'day' } },
        amount_sek: { category: 'financial', mask: 'generalize', maskParams: { step: 1000 }, anonymize: 'keep' },
        method: { category: 'not_personal' },
        payer_reference: { category: 'financial', mask: 'partial', maskParams: { keepFirst: 0, keepLast: 4 }, anonymize: 'null' },
        created_at: { category: 'not_personal' },
      },
      retention: { anchor: 'paid_at', keep: '1 year', action: 'anonymize', minimum: 'bookkeeping', minimumAnchor: 'paid_at' },
    },
    vehicle: {
      ...tenant,
      purpose: 'Fleet register: which vehicle a tracker is fitted to, and who usually drives it',
      legalBasis: 'contract',
      columns: {
        id: { category: 'not_personal' },
        customer_id: { category: 'not_personal' },
        registration_number: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 3, keepLast: 0 },
                               anonymize: 'fake_registration_number' },
        vin: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 3, keepLast: 0 }, anonymize: 'null' },
        make: { category: 'not_personal' },
        model: { category: 'not_personal' },
        driver_name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 }, anonymize: 'null' },
        // E-mail addresses, phone numbers and personnummer are replaced before the text is stored.
        notes: { category: 'free_text', anonymize: 'null', write: 'scrub_text' },
        created_at: { category: 'not_personal' },
        removed_at: { category: 'not_personal' },
      },
      // A year after it left the fleet nothing about it is kept that says whose it was or who drove it.
      retention: { anchor: 'removed_at', keep: '1 year', action: 'anonymize' },
    },
    device: {
      ...tenant,
      purpose: 'Operating the GPS trackers and their SIM cards',
      legalBasis: 'contract',
      columns: {
        id: { category: 'not_personal' },
        customer_id: { category: 'not_personal' },
        vehicle_id: { category: 'not_personal' },
        imei: { category: 'technical', mask: 'partial', maskParams: { keepFirst: 0, keepLast: 4 }, anonymize: 'fake_imei', anonymizeParams: { unique: true } },
        serial: { category: 'technical', mask: 'partial', maskParams: { keepFirst: 0, keepLast: 4 }, anonymize: 'pseudonym' },
        sim_iccid: { category: 'technical', mask: 'partial', maskParams: { keepFirst: 0, keepLast: 4 }, anonymize: 'null' },
        phone_number: { category: 'contact', mask: 'phone', anonymize: 'null' },
        installed_at: { category: 'not_personal' },
        removed_at: { category: 'not_personal' },
      },
      retention: { anchor: 'removed_at', keep: '1 year', action: 'anonymize' },
    },
    position: {
      ...tenant,
      purpose: 'Showing where vehicles are and have been',
      legalBasis: 'contract',
      columns: {
        id: { category: 'not_personal' },
        customer_id: { category: 'not_personal' },
        device_id: { category: 'not_personal' },
        recorded_at: { category: 'location', mask: 'time', maskParams: { unit: 'quarter_hour' } },
        lat: { category: 'location', mask: 'grid', maskParams: { axis: 'lat', meters: 1000 }, anonymize: 'round', anonymizeParams: { digits: 2 } },
        lon: { category: 'location', mask: 'grid', maskParams: { axis: 'lon', meters: 1000 }, anonymize: 'round', anonymizeParams: { digits: 2 } },
        speed_kmh: { category: 'location', mask: 'round', maskParams: { digits: -1 } },
        heading: { category: 'not_personal' },
        ignition: { category: 'not_personal' },
      },
      retention: { anchor: 'recorded_at', keep: '90 days', action: 'anonymize' },
    },
    trip: {
      ...tenant,
      purpose: "The driver's log: trips, business or private, for the customer's tax and fleet reporting",
      legalBasis: ['contract', 'legal_obligation'],
      columns: {
        id: { category: 'not_personal' },
        customer_id: { category: 'not_personal' },
        vehicle_id: { category: 'not_personal' },
        device_id: { category: 'not_personal' },
        driver_name: { category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 }, anonymize: 'null' },
        started_at: { category: 'location', mask: 'time', maskParams: { unit: 'hour' } },
        // started_at is the anchor, kept as it is: ended_at is kept too (trip_check: ended >= started).
        ended_at: { category: 'location', mask: 'time', maskParams: { unit: 'hour' }, anonymize: 'keep' },
        start_lat: { category: 'location', mask: 'grid', maskParams: { axis: 'lat', meters: 1000 }, anonymize: 'round', anonymizeParams: { digits: 2 } },
        start_lon: { category: 'location', mask: 'grid', maskParams: { axis: 'lon', meters: 1000 }, anonymize: 'round', anonymizeParams: { digits: 2 } },
        end_lat: { category: 'location', mask: 'grid', maskParams: { axis: 'lat', meters: 1000 }, anonymize: 'round', anonymizeParams: { digits: 2 } },
        end_lon: { category: 'location', mask: 'grid', maskParams: { axis: 'lon', meters: 1000 }, anonymize: 'round', anonymizeParams: { digits: 2 } },
        distance_km: { category: 'not_personal' },
        // Private trips are private life; once driver and places are gone, the kind of trip is not.
        purpose: { category: 'personal', anonymize: 'keep' },
      },
      retention: { anchor: 'started_at', keep: '1 year', action: 'anonymize' },
    },
  },
  subjects: {
    customer: {
      table: 'customer',
      key: 'id',
      description: 'A customer of the service: a company, or a consumer identified by personnummer',
      links: [
        'contact_person.customer_id', 'admin_user.customer_id', 'invoice.customer_id', 'payment.customer_id',
        'vehicle.customer_id', 'device.customer_id', 'position.customer_id', 'trip.customer_id',
      ],
    },
    contact: { table: 'contact_person', key: 'id', description: 'A person who acts for a customer' },
    user: { table: 'admin_user', key: 'id', description: "A login to the customers' web app" },
    device: {
      table: 'device',
      key: 'id',
      description: 'A GPS tracker, and through its vehicle the people who drive it',
      links: ['position.device_id', 'trip.device_id'],
    },
  },
});
