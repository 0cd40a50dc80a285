import { PolicyError } from './policy-error.ts';
import { validatePolicy } from './policy-schema.ts';
import type { Policy } from './policy-types.ts';

/**
 * Declares a policy: the default export of `integritet.config.ts`. Checks its shape at once
 * (throwing a {@link PolicyError} that names each offending path); whether its tables, columns,
 * categories and strategies exist is checked against the database by `plan` and `apply`.
 *
 * @example
 * export default definePolicy({
 *   tables: {
 *     customer: {
 *       tenantColumn: 'id',
 *       columns: { email: { category: 'contact', mask: 'email', anonymize: 'fake', anonymizeParams: { kind: 'email' } } },
 *     },
 *   },
 * });
 */
export function definePolicy(policy: Policy): Policy {
  const result = validatePolicy(policy);
  if (!result.ok) throw new PolicyError(result.issues);
  return policy;
}
