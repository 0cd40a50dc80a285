/**
 * Generators of Swedish-looking identifiers with the right shape and check digits, so that masking
 * and validation code sees realistic values. All are drawn at random; none is looked up.
 */
import type { Random } from './seeded-random.ts';

/** The Luhn (modulus 10) check digit for a string of digits, as used by personnummer, IMEI, ICCID and bankgiro. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Weights alternate 2, 1, … counted from the rightmost digit of the payload.
    let value = Number(digits[digits.length - 1 - i]) * (i % 2 === 0 ? 2 : 1);
    if (value > 9) value -= 9;
    sum += value;
  }
  return (10 - (sum % 10)) % 10;
}

/** An aktiebolag organisationsnummer, NNNNNN-NNNN: starts with 5, third digit ≥ 2 so it never reads as a birth date. */
export function organisationNumber(random: Random): string {
  const payload = `55${random.int(6, 9)}${random.digits(3)}${random.digits(3)}`;
  return `${payload.slice(0, 6)}-${payload.slice(6)}${luhnCheckDigit(payload)}`;
}

/** A personnummer YYMMDD-NNNN for a birth date given as 'YYYY-MM-DD'. */
export function personnummer(random: Random, birthDate: string): string {
  const payload = `${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${birthDate.slice(8, 10)}${random.digits(3)}`;
  return `${payload.slice(0, 6)}-${payload.slice(6)}${luhnCheckDigit(payload)}`;
}

/** Letters used on Swedish plates: no I, Q, V, Å, Ä, Ö. */
const plateLetters = 'ABCDEFGHJKLMNOPRSTUWXYZ';

/** A registration number, ABC123 or (newer plates) ABC12D. */
export function registrationNumber(random: Random): string {
  let text = '';
  for (let i = 0; i < 3; i++) text += random.pick([...plateLetters]);
  text += random.digits(2);
  text += random.chance(0.25) ? random.pick([...plateLetters]) : random.digits(1);
  return text;
}

const vinCharacters = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const vinValues: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const vinWeights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
/** Model-year codes (position 10) from 2010 to 2026. */
const vinYearCodes = 'ABCDEFGHJKLMNPRST';

/** A 17-character VIN for a manufacturer (WMI), with the ISO 3779 check digit in position 9. */
export function vin(random: Random, wmi: string, modelYear: number): string {
  let body = wmi;
  for (let i = 0; i < 5; i++) body += random.pick([...vinCharacters]);
  body += '0'; // check digit placeholder
  body += vinYearCodes[Math.min(Math.max(modelYear - 2010, 0), vinYearCodes.length - 1)];
  body += random.pick([...vinCharacters]);
  body += random.digits(6);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const char = body[i] as string;
    sum += (vinValues[char] ?? Number(char)) * (vinWeights[i] as number);
  }
  const check = sum % 11 === 10 ? 'X' : String(sum % 11);
  return body.slice(0, 8) + check + body.slice(9);
}

/** A 15-digit IMEI: 8-digit type allocation code, 6-digit serial, Luhn check digit. */
export function imei(random: Random): string {
  const payload = `35${random.digits(12)}`;
  return payload + luhnCheckDigit(payload);
}

/** A 19-digit Swedish SIM ICCID: 89 (telecom), 46 (Sweden), issuer, account, Luhn check digit. */
export function simIccid(random: Random): string {
  const payload = `8946${random.pick(['01', '02', '07', '08'])}${random.digits(12)}`;
  return payload + luhnCheckDigit(payload);
}

/** A bankgiro number NNNN-NNNN with its Luhn check digit. */
export function bankgiroNumber(random: Random): string {
  const payload = `${random.int(5, 9)}${random.digits(6)}`;
  return `${payload.slice(0, 4)}-${payload.slice(4)}${luhnCheckDigit(payload)}`;
}

/** A mobile number from 070-174 06 05 … 070-174 06 99, the range PTS reserves for fiction. */
export function fictionalMobile(random: Random): string {
  return `070-174 06 ${String(random.int(5, 99)).padStart(2, '0')}`;
}

/** The same number as Swish shows it (E.164 without '+'). */
export function swishAlias(mobile: string): string {
  return `46${mobile.replace(/\D/g, '').slice(1)}`;
}
