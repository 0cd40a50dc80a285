import { isIP } from 'node:net';
import { GIVEN_NAMES, SURNAME_ENDINGS } from './given-names.ts';
import type { PersonalKind } from './personal-kinds.ts';
import { isOrganisationsnummer, isPersonnummer, luhnValid } from './swedish-identity-numbers.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const EMAIL_INSIDE = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
const PHONE = /^(\+|00|0)[\d ()-]{6,18}\d$/;
const PHONE_INSIDE = /(\+46|\b0)\d{1,3}[- ]?\d{2,3}[ -]?\d{2}[ -]?\d{2}\b/;
const STREET = /^[\p{Lu}][\p{L}.-]*(gatan|vägen|gränd|torget|backen|stigen|allén|platsen|leden|plan|väg|gata)\s+\d+|^\d+\s+[\p{L} ]+\s(street|st|road|rd|avenue|ave|lane|drive|way)\b/iu;
const POSTAL_CODE = /^\d{3} ?\d{2}$/;
const PASSWORD_HASH = /^\$(2[abxy]?|argon2(id|i|d)|scrypt|pbkdf2[-\w]*|[156])\$/;
const REGISTRATION = /^[A-Z]{3} ?\d{2}[0-9A-Z]$/;
const VIN = /^(?=.*\d)(?=.*[A-Z])[A-HJ-NPR-Z0-9]{17}$/;
const IMEI = /^\d{15}$/;
const ICCID = /^89\d{16,18}$/;

function isPersonName(value: string): boolean {
  const parts = value.trim().split(/\s+/);
  if (parts.length > 4 || !parts.every((p) => /^[\p{Lu}][\p{Ll}'-]+$/u.test(p))) return false;
  const first = parts[0]!.toLowerCase();
  const last = parts[parts.length - 1]!.toLowerCase();
  return GIVEN_NAMES.has(first) || (parts.length > 1 && SURNAME_ENDINGS.test(last)) || (parts.length === 1 && SURNAME_ENDINGS.test(first));
}

function isIpAddress(value: string): boolean {
  return isIP(value.replace(/\/\d{1,3}$/, '')) !== 0;
}

// Checked in order: the first test that most values pass names the column's kind.
const VALUE_TESTS: [PersonalKind, (value: string) => boolean][] = [
  ['email', (v) => EMAIL.test(v)],
  ['credential', (v) => PASSWORD_HASH.test(v)],
  ['device_identifier', (v) => (IMEI.test(v) && luhnValid(v)) || ICCID.test(v)],
  ['phone', (v) => PHONE.test(v) && v.replace(/\D/g, '').length >= 7 && v.replace(/\D/g, '').length <= 15],
  ['ip_address', isIpAddress],
  ['postal_code', (v) => POSTAL_CODE.test(v)],
  ['street_address', (v) => STREET.test(v)],
  ['vehicle_registration', (v) => REGISTRATION.test(v)],
  ['vin', (v) => VIN.test(v)],
  ['person_name', isPersonName],
];

/** What a sample of a column's values shows. */
export interface ValueEvidence {
  kind: PersonalKind;
  matched: number;
  sampled: number;
  /** More evidence, e.g. `4 contain an e-mail address`. */
  notes: string[];
}

/** The share of sampled values a pattern must fit for the column to count as that kind. */
export const MATCH_SHARE = 0.6;

/**
 * What the sampled (non-null, text) values of a column look like: the kind most of them fit, or
 * free text (long, many words: it may hold anything), or undefined when nothing fits.
 */
export function kindFromValues(values: readonly string[]): ValueEvidence | undefined {
  const sampled = values.length;
  if (sampled === 0) return undefined;
  // Personnummer and organisation numbers share a format and often a column (sole traders,
  // consumers among companies): counted together, named by the more sensitive one present.
  const personnummer = values.filter(isPersonnummer).length;
  const organisation = values.filter(isOrganisationsnummer).length;
  if ((personnummer + organisation) / sampled >= MATCH_SHARE) {
    const notes = personnummer > 0 && organisation > 0 ? [`${personnummer} personnummer and ${organisation} organisation numbers`] : [];
    return { kind: personnummer > 0 ? 'personnummer' : 'org_number', matched: personnummer + organisation, sampled, notes };
  }
  for (const [kind, test] of VALUE_TESTS) {
    const matched = values.filter((v) => test(v)).length;
    if (matched / sampled >= MATCH_SHARE) return { kind, matched, sampled, notes: [] };
  }
  const words = values.map((v) => v.trim().split(/\s+/).length);
  const averageLength = values.reduce((sum, v) => sum + v.length, 0) / sampled;
  const sentences = words.filter((w) => w >= 3).length;
  if (averageLength >= 20 && sentences / sampled >= MATCH_SHARE) {
    const notes: string[] = [];
    const emails = values.filter((v) => EMAIL_INSIDE.test(v)).length;
    const phones = values.filter((v) => PHONE_INSIDE.test(v)).length;
    const names = values.filter((v) => v.split(/[\s,.]+/).some((w) => GIVEN_NAMES.has(w.toLowerCase()) && /^\p{Lu}/u.test(w))).length;
    if (emails > 0) notes.push(`${emails} contain an e-mail address`);
    if (phones > 0) notes.push(`${phones} a phone number`);
    if (names > 0) notes.push(`${names} a given name`);
    return { kind: 'free_text', matched: sentences, sampled, notes: [`average ${Math.round(averageLength)} characters`, ...notes] };
  }
  return undefined;
}

/** Whether numeric samples lie where coordinates can (|lat| ≤ 90, |lon| ≤ 180) with fractional digits. */
export function looksLikeCoordinates(values: readonly string[]): boolean {
  if (values.length === 0) return false;
  const inRange = values.every((v) => /^-?\d{1,3}(\.\d+)?$/.test(v) && Math.abs(Number(v)) <= 180);
  const precise = values.filter((v) => /\.\d{3,}$/.test(v)).length;
  return inRange && precise / values.length >= MATCH_SHARE;
}
