import type { ColumnPolicy } from '../policy-types.ts';

/** What a column appears to hold. */
export type PersonalKind =
  | 'email' | 'phone' | 'personnummer' | 'org_number' | 'person_name' | 'street_address' | 'postal_code'
  | 'city' | 'ip_address' | 'coordinate' | 'free_text' | 'credential' | 'birth_date' | 'vehicle_registration'
  | 'vin' | 'device_identifier' | 'financial' | 'special' | 'login_time' | 'row_key' | 'nothing_personal';

/** How a kind is described in evidence, and the classification proposed for it. */
interface KindSuggestion {
  label: string;
  /** The proposal; `nullable` tells whether the column may hold NULL (then `null` can anonymize it). */
  suggest(context: { nullable: boolean; column: string }): ColumnPolicy;
}

type AnonymizeProposal = { anonymize?: string; anonymizeParams?: Record<string, unknown> };
const nullOr = (nullable: boolean, otherwise?: AnonymizeProposal): AnonymizeProposal =>
  nullable ? { anonymize: 'null' } : (otherwise ?? {});

function fakeNameKind(column: string): 'first_name' | 'last_name' | 'full_name' {
  if (/first|given|fore/.test(column)) return 'first_name';
  if (/last|sur|family/.test(column)) return 'last_name';
  return 'full_name';
}

/** The proposal for each kind: a category, a read mask and an anonymization that fit it. */
export const PERSONAL_KINDS: Record<PersonalKind, KindSuggestion> = {
  email: {
    label: 'e-mail addresses',
    suggest: ({ nullable }) => ({ category: 'contact', mask: 'email', ...nullOr(nullable, { anonymize: 'pseudonym' }) }) as ColumnPolicy,
  },
  phone: {
    label: 'phone numbers',
    suggest: ({ nullable }) => ({ category: 'contact', mask: 'phone', ...nullOr(nullable, { anonymize: 'fake', anonymizeParams: { kind: 'phone' } }) }) as ColumnPolicy,
  },
  personnummer: {
    label: 'personnummer (valid check digit)',
    suggest: ({ nullable }) => ({ category: 'identifier', mask: 'pseudonym', ...nullOr(nullable) }) as ColumnPolicy,
  },
  org_number: {
    label: 'organisation numbers (valid check digit; a sole trader\'s is a personnummer)',
    suggest: ({ nullable }) => ({ category: 'identifier', mask: 'partial', maskParams: { keepFirst: 2, keepLast: 0 }, ...nullOr(nullable) }) as ColumnPolicy,
  },
  person_name: {
    label: 'names of people',
    suggest: ({ nullable, column }) => ({
      category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 },
      ...nullOr(nullable, { anonymize: 'fake', anonymizeParams: { kind: fakeNameKind(column) } }),
    }) as ColumnPolicy,
  },
  street_address: {
    label: 'street addresses',
    suggest: ({ nullable }) => ({ category: 'contact', mask: 'redact', ...nullOr(nullable, { anonymize: 'fake', anonymizeParams: { kind: 'street' } }) }) as ColumnPolicy,
  },
  postal_code: {
    label: 'postal codes',
    suggest: ({ nullable }) => ({ category: 'contact', mask: 'partial', maskParams: { keepFirst: 2, keepLast: 0 }, ...nullOr(nullable) }) as ColumnPolicy,
  },
  city: {
    label: 'places of residence',
    suggest: ({ nullable }) => ({ category: 'contact', ...nullOr(nullable, { anonymize: 'fake', anonymizeParams: { kind: 'city' } }) }) as ColumnPolicy,
  },
  ip_address: {
    label: 'IP addresses',
    suggest: ({ nullable }) => ({ category: 'technical', ...nullOr(nullable) }) as ColumnPolicy,
  },
  coordinate: {
    label: 'coordinates',
    suggest: ({ column }) => ({
      category: 'location', mask: 'grid', maskParams: { axis: /lat/.test(column) ? 'lat' : 'lon', meters: 1000 },
      anonymize: 'round', anonymizeParams: { digits: 2 },
    }),
  },
  free_text: {
    label: 'free text',
    suggest: ({ nullable }) => ({ category: 'free_text', ...nullOr(nullable, { anonymize: 'redact' }) }) as ColumnPolicy,
  },
  credential: {
    label: 'password hashes, tokens or secrets',
    suggest: ({ nullable }) => ({ category: 'credential', ...nullOr(nullable, { anonymize: 'redact' }) }) as ColumnPolicy,
  },
  birth_date: {
    label: 'dates of birth',
    suggest: () => ({ category: 'identifier', mask: 'generalize', maskParams: { unit: 'year' }, anonymize: 'generalize', anonymizeParams: { unit: 'year' } }),
  },
  vehicle_registration: {
    label: 'vehicle registration numbers',
    suggest: ({ nullable }) => ({ category: 'identifier', mask: 'partial', maskParams: { keepFirst: 3, keepLast: 0 }, ...nullOr(nullable) }) as ColumnPolicy,
  },
  vin: {
    label: 'vehicle identification numbers',
    suggest: ({ nullable }) => ({ category: 'identifier', mask: 'partial', maskParams: { keepFirst: 3, keepLast: 0 }, ...nullOr(nullable) }) as ColumnPolicy,
  },
  device_identifier: {
    label: 'device identifiers (IMEI, ICCID, serial numbers)',
    suggest: ({ nullable }) => ({ category: 'technical', mask: 'partial', maskParams: { keepFirst: 0, keepLast: 4 }, ...nullOr(nullable) }) as ColumnPolicy,
  },
  financial: {
    label: 'financial details',
    suggest: ({ nullable }) => ({ category: 'financial', ...nullOr(nullable) }) as ColumnPolicy,
  },
  special: {
    label: 'special categories of data (Art. 9)',
    suggest: ({ nullable }) => ({ category: 'special', ...nullOr(nullable) }) as ColumnPolicy,
  },
  login_time: {
    label: 'times of a person\'s activity',
    suggest: ({ nullable }) => ({ category: 'technical', mask: 'time', maskParams: { unit: 'day' }, ...nullOr(nullable) }) as ColumnPolicy,
  },
  row_key: {
    label: 'row keys',
    suggest: () => ({ category: 'not_personal' }),
  },
  nothing_personal: {
    label: 'nothing recognisably personal',
    suggest: () => ({ category: 'not_personal' }),
  },
};
