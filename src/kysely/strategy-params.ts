import { z } from 'zod';

// The parameters of each built-in strategy, mirroring the registry in sql/031-strategies.sql
// (test/kysely/strategy-params.test.ts compares the two). Names of parameters are camelCase in
// TypeScript and in policy files (`keepFirst`), snake_case in SQL (`keep_first`): the mapping is
// mechanical, both ways, for every strategy, so one registered in SQL that this file does not
// know yet still works from a JSON policy (its parameters are then checked by SQL alone).
// Values are never renamed: `{ unit: 'quarter_hour' }` stays as it is. Write-minimisation rules
// (usable_for 'write') share the SQL registry but are not masks: they are not listed here.

const integer = (minimum: number, maximum: number) => z.int().min(minimum).max(maximum).optional();

/** A fake identifier's parameters: no two alike (unique), or the same fake for the same value and key. */
const fakeIdentifier = z.strictObject({ unique: z.boolean().optional(), key: z.string().optional() });

/** zod schema of each built-in strategy's parameters, by strategy name. */
export const STRATEGY_PARAMS = {
  null: z.strictObject({}),
  redact: z.strictObject({ replacement: z.string().optional() }),
  partial: z.strictObject({ keepFirst: integer(0, 64), keepLast: integer(0, 64), fill: z.string().optional() }),
  email: z.strictObject({ keepDomain: z.boolean().optional() }),
  phone: z.strictObject({ keepLast: integer(0, 6) }),
  pseudonym: z.strictObject({ length: integer(8, 64) }),
  hash: z.strictObject({ algorithm: z.enum(['md5', 'sha256', 'sha512']).optional() }),
  generalize: z.strictObject({
    unit: z.enum(['hour', 'day', 'week', 'month', 'quarter', 'year', 'decade']).optional(),
    step: z.number().min(0).optional(),
    timeZone: z.string().optional(),
  }),
  round: z.strictObject({ digits: integer(-12, 12) }),
  noise: z.strictObject({
    ratio: z.number().min(0).max(1).optional(),
    absolute: z.number().min(0).optional(),
    interval: z.string().optional(),
  }),
  fake: z.strictObject({
    kind: z.enum(['first_name', 'last_name', 'full_name', 'company', 'street', 'city', 'email', 'phone']),
    locale: z.enum(['sv', 'en']).optional(),
  }),
  grid: z.strictObject({
    axis: z.enum(['lat', 'lon', 'either']).optional(),
    meters: z.number().min(1).max(1_000_000).optional(),
    referenceLatitude: z.number().min(-85).max(85).optional(),
  }),
  time: z.strictObject({
    unit: z.enum(['minute', 'quarter_hour', 'hour', 'day']).optional(),
    timeZone: z.string().optional(),
  }),
  geo_grid: z.strictObject({
    axis: z.enum(['lat', 'lon']),
    meters: z.number().min(1).max(1_000_000).optional(),
    pairColumn: z.string().optional(),
  }),
  geo_noise: z.strictObject({
    axis: z.enum(['lat', 'lon']),
    epsilon: z.number().min(0.000001).max(1).optional(),
    pairColumn: z.string().optional(),
  }),
  geo_trim: z.strictObject({
    axis: z.enum(['lat', 'lon']),
    pairColumn: z.string().optional(),
    tenantColumn: z.string().optional(),
    meters: z.number().min(1).max(1_000_000).optional(),
  }),
  // Anonymizing only (sql/152–155): fakes that pass the checks schemas put on identifiers.
  fake_personnummer: fakeIdentifier,
  fake_samordningsnummer: fakeIdentifier,
  fake_organisationsnummer: fakeIdentifier,
  fake_imei: fakeIdentifier,
  fake_iccid: fakeIdentifier,
  fake_vin: fakeIdentifier,
  fake_registration_number: fakeIdentifier,
  fake_phone: fakeIdentifier,
  fake_email: fakeIdentifier,
  keep: z.strictObject({}),
} as const;

/** A strategy this version of the package knows the parameters of. */
export type StrategyName = keyof typeof STRATEGY_PARAMS;

/** The (camelCase) parameters of strategy `S`. */
export type StrategyParams<S extends StrategyName> = z.input<(typeof STRATEGY_PARAMS)[S]>;

/** Whether `name` is a strategy whose parameters are typed here. */
export function isKnownStrategy(name: string): name is StrategyName {
  return Object.hasOwn(STRATEGY_PARAMS, name);
}

// A strategy whose parameters are all optional may leave them out; `fake` needs its `kind`.
type ParamsField<Key extends string, S extends StrategyName> = {} extends StrategyParams<S>
  ? { [K in Key]?: StrategyParams<S> }
  : { [K in Key]: StrategyParams<S> };

/** The read mask of a column: no mask, or one strategy with the parameters of that strategy. */
export type MaskChoice =
  | { mask?: undefined; maskParams?: undefined }
  | { [S in StrategyName]: { mask: S } & ParamsField<'maskParams', S> }[StrategyName];

/** How retention anonymizes a column: nothing, or one strategy with its parameters. */
export type AnonymizeChoice =
  | { anonymize?: undefined; anonymizeParams?: undefined }
  | { [S in StrategyName]: { anonymize: S } & ParamsField<'anonymizeParams', S> }[StrategyName];

/** `keepFirst` → `keep_first`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** `keep_first` → `keepFirst`. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Parameters as SQL stores them: keys in snake_case, values as they are. */
export function toSqlParams(params: object | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params ?? {}).map(([key, value]) => [snakeCase(key), value]));
}

/** Parameters as TypeScript and policy files write them: keys in camelCase. */
export function fromSqlParams(params: Record<string, unknown> | null | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params ?? {}).map(([key, value]) => [camelCase(key), value]));
}
