import { z } from 'zod';

// The parameters of each built-in write rule, mirroring sql/170-write-rule-registry.sql (rules
// share the strategy registry with masks, usable_for 'write'); camelCase here, snake_case in SQL,
// as for masks (strategy-params.ts). test/kysely/strategy-params.test.ts compares the two.

const integer = (minimum: number, maximum: number) => z.int().min(minimum).max(maximum).optional();

/** zod schema of each built-in write rule's parameters, by rule name. */
export const WRITE_RULE_PARAMS = {
  truncate_ip: z.strictObject({ ipv4Prefix: integer(0, 32), ipv6Prefix: integer(0, 128) }),
  scrub_text: z.strictObject({ email: z.boolean().optional(), phone: z.boolean().optional(), personnummer: z.boolean().optional() }),
  pseudonymise: z.strictObject({ length: integer(8, 64) }),
  cap_precision: z.strictObject({ digits: integer(0, 15) }),
} as const;

/** A write rule this version of the package knows the parameters of. */
export type WriteRuleName = keyof typeof WRITE_RULE_PARAMS;

/** The (camelCase) parameters of write rule `R`. */
export type WriteRuleParams<R extends WriteRuleName> = z.input<(typeof WRITE_RULE_PARAMS)[R]>;

/** Whether `name` is a write rule whose parameters are typed here. */
export function isKnownWriteRule(name: string): name is WriteRuleName {
  return Object.hasOwn(WRITE_RULE_PARAMS, name);
}

/**
 * How a column is minimised before it is stored: no rule, or one rule with its parameters
 * (every parameter of the built-in rules is optional).
 */
export type WriteChoice =
  | { write?: undefined; writeParams?: undefined }
  | { [R in WriteRuleName]: { write: R; writeParams?: WriteRuleParams<R> } }[WriteRuleName];
