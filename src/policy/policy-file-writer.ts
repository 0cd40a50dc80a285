import { formatPath } from './policy-path.ts';
import type { Policy } from './policy-types.ts';

/** How a policy file is written. */
export interface PolicyFileOptions {
  format: 'ts' | 'json';
  /** Where `definePolicy` is imported from in a `.ts` file (default `integritet`). */
  importFrom?: string;
  /** Comment lines at the top of a `.ts` file. */
  header?: string[];
  /** Comment lines placed before the entry at a path (`tables.customer.columns.email`); `.ts` only. */
  comments?: Map<string, string[]>;
}

const WIDTH = 130;
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replaceAll("\\\"", '"').replaceAll("'", "\\'")}'`;
}

function key(name: string): string {
  return PLAIN_KEY.test(name) ? name : quote(name);
}

function hasComments(comments: Map<string, string[]>, path: PropertyKey[]): boolean {
  const prefix = formatPath(path);
  for (const key of comments.keys()) if (key.startsWith(prefix) && key !== prefix) return true;
  return false;
}

// A value as TypeScript: on one line when it fits and holds no comments, else one entry a line.
function literal(value: unknown, indent: string, path: PropertyKey[], comments: Map<string, string[]>): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? quote(value) : String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value.map((item, i) => literal(item, inner, [...path, i], comments));
    const oneLine = `[${items.join(', ')}]`;
    if (indent.length + oneLine.length <= WIDTH && !items.some((i) => i.includes('\n'))) return oneLine;
    return `[\n${items.map((i) => `${inner}${i},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const rendered = entries.map(([k, v]) => ({ k, text: `${key(k)}: ${literal(v, inner, [...path, k], comments)}` }));
  const oneLine = `{ ${rendered.map((r) => r.text).join(', ')} }`;
  if (indent.length + oneLine.length <= WIDTH && !oneLine.includes('\n') && !hasComments(comments, path)) return oneLine;
  const lines = rendered.flatMap(({ k, text }) => [
    ...(comments.get(formatPath([...path, k])) ?? []).map((c) => `${inner}// ${c}`),
    `${inner}${text},`,
  ]);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** A policy as the text of a policy file: `export default definePolicy({ … })`, or JSON. */
export function renderPolicyFile(policy: Policy, options: PolicyFileOptions): string {
  if (options.format === 'json') return `${JSON.stringify(policy, null, 2)}\n`;
  const header = (options.header ?? []).map((line) => `// ${line}`.trimEnd());
  return [
    ...header,
    `import { definePolicy } from ${quote(options.importFrom ?? 'integritet')};`,
    '',
    `export default definePolicy(${literal(policy, '', [], options.comments ?? new Map())});`,
    '',
  ].join('\n');
}
