/** The Luhn (mod 10) check the last digit of Swedish identity and organisation numbers satisfies. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const TEN_DIGITS = /^(?:\d{2})?(\d{6})[-+]?(\d{4})$/;

/** The ten digits of `YYMMDD-NNNN`, `YYYYMMDDNNNN` and the like, or undefined. */
function tenDigits(value: string): string | undefined {
  const match = TEN_DIGITS.exec(value.trim());
  return match ? match[1]! + match[2]! : undefined;
}

/**
 * A personnummer (or samordningsnummer, day + 60): a valid month and day, and a Luhn check
 * digit over the ten digits.
 */
export function isPersonnummer(value: string): boolean {
  const digits = tenDigits(value);
  if (!digits) return false;
  const month = Number(digits.slice(2, 4));
  const day = Number(digits.slice(4, 6));
  const dayOk = (day >= 1 && day <= 31) || (day >= 61 && day <= 91);
  return month >= 1 && month <= 12 && dayOk && luhnValid(digits);
}

/** An organisationsnummer: `NNNNNN-NNNN` whose third digit is 2 or more, with a Luhn check digit. */
export function isOrganisationsnummer(value: string): boolean {
  const trimmed = value.trim();
  const match = /^(?:16)?(\d{6})-?(\d{4})$/.exec(trimmed);
  if (!match) return false;
  const digits = match[1]! + match[2]!;
  return Number(digits[2]) >= 2 && luhnValid(digits);
}
