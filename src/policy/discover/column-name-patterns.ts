import type { PersonalKind } from './personal-kinds.ts';

/**
 * What a column's name suggests, checked in order (the first match wins). Names are matched
 * lower-case, with the words of camelCase names separated by _. SQL has the same list
 * (`privacy.column_name_pattern()`, sql/224-verify-unprotected.sql), for `verify`.
 */
export const NAME_PATTERNS: [RegExp, PersonalKind][] = [
  [/(^|_)(id|uuid|pk)$/, 'row_key'],
  [/(^|_)e_?mail(_address)?$|(^|_)mail$/, 'email'],
  [/(^|_)(phone|mobile|mobil|cell|tel|telephone|telefon|msisdn|fax)(_number|_no|nr)?($|_)/, 'phone'],
  [/personnummer|(^|_)pnr$|(^|_)ssn$|social_security|national_id|personal_(identity_)?number|person_number/, 'personnummer'],
  [/org_?(anisation|anization)?_?(number|nr|no)$|^orgnr$|vat_(number|no)/, 'org_number'],
  [/(^|_)((first|last|given|family|sur|full|middle|display|driver|contact|billing|customer|user|owner|maiden)_?)?name$/, 'person_name'],
  [/(^|_)(street|address|addr|address_line_?\d?|billing_address|home_address)$/, 'street_address'],
  [/(postal_code|postcode|post_code|zip|zip_code|postnummer)$/, 'postal_code'],
  [/(^|_)(city|town|ort|postort|municipality)$/, 'city'],
  [/(^|_)ip(_address|_addr)?$|ip_address|remote_addr/, 'ip_address'],
  [/(^|_)(lat|latitude|lon|lng|long|longitude)$/, 'coordinate'],
  [/password|passwd|(^|_)pwd|secret|token|api_key|otp|(^|_)salt$/, 'credential'],
  [/birth|(^|_)dob$|born|fodelse/, 'birth_date'],
  [/(^|_)(note|notes|comment|comments|description|message|remark|remarks|free_text|body|text)$/, 'free_text'],
  [/registration_number|reg_no|regnr|license_plate|licence_plate|number_plate/, 'vehicle_registration'],
  [/(^|_)vin$/, 'vin'],
  [/imei|iccid|imsi|mac_address|(^|_)serial(_number)?$|device_identifier/, 'device_identifier'],
  [/iban|account_number|card_number|(^|_)pan$|salary|income|payer_reference|bank_account|bankgiro|plusgiro/, 'financial'],
  [/health|diagnos|religio|ethnic|trade_union|sexual|biometric|political/, 'special'],
  [/last_login|last_seen|last_active|login_at|signed_in_at/, 'login_time'],
  [/_id$/, 'row_key'],
];

/** `lastLoginIP` → `last_login_ip`. */
function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** What the column's name suggests it holds, and the pattern that matched, if anything. */
export function kindFromName(column: string): { kind: PersonalKind; pattern: string } | undefined {
  const name = words(column);
  for (const [pattern, kind] of NAME_PATTERNS) {
    if (pattern.test(name)) return { kind, pattern: pattern.source };
  }
  return undefined;
}
