/** A location in a policy, as zod reports it: `['tables', 'customer', 'columns', 'email']`. */
export type PolicyPathSegments = readonly PropertyKey[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `tables.customer.columns.email`, `subjects.customer.links[2]`, `tables["billing.invoice"]`:
 * how a path is written in every message, as it would be written in TypeScript.
 */
export function formatPath(segments: PolicyPathSegments): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text === '' ? '(policy)' : text;
}
