import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePolicy } from '../../src/policy/define-policy.ts';
import { closest, didYouMean } from '../../src/policy/did-you-mean.ts';
import { findPolicyFile, loadPolicy } from '../../src/policy/load-policy.ts';
import { PolicyError } from '../../src/policy/policy-error.ts';
import { renderPolicyFile } from '../../src/policy/policy-file-writer.ts';
import { formatPath } from '../../src/policy/policy-path.ts';
import { validatePolicy } from '../../src/policy/policy-schema.ts';
import type { Policy } from '../../src/policy/policy-types.ts';
import { smallPolicy } from './policy-fixtures.ts';

const INDEX = new URL('../../src/index.ts', import.meta.url).pathname;

describe('definePolicy and validatePolicy: the shape of a policy, without a database', () => {
  it('accepts a well-formed policy and returns it as it is', () => {
    const policy = smallPolicy();
    expect(definePolicy(policy)).toBe(policy);
    expect(validatePolicy(policy)).toEqual({ ok: true, policy });
  });

  it('throws a PolicyError naming each path', () => {
    const broken = { tables: { customer: { columns: { email: { category: 'contact', mask: 'email', maskParams: { keepDomian: true } } } } } };
    expect(() => definePolicy(broken as never)).toThrow(PolicyError);
    expect(() => definePolicy(broken as never)).toThrow(
      'tables.customer.columns.email.maskParams.keepDomian: unknown parameter of email "keepDomian" (did you mean "keepDomain"?)');
  });

  it.each([
    ['nothing', undefined, '(policy)', /is required/],
    ['no tables', {}, 'tables', /is required/],
    ['an unknown top-level key', { tables: {}, subject: {} }, 'subject', /unknown key "subject" \(did you mean "subjects"\?\)/],
    ['a table key with a space', { tables: { 'my table': { columns: {} } } }, 'tables["my table"]', /must be a table name/],
    ['a category with capitals', { tables: { t: { columns: { c: { category: 'Contact' } } } } }, 'tables.t.columns.c.category', /lower-case/],
    ['an empty keep period', { tables: { t: { columns: {}, retention: { anchor: 'a', keep: '', action: 'delete' } } } }, 'tables.t.retention.keep', /must not be empty/],
    ['an unknown retention key', { tables: { t: { columns: {}, retention: { anchor: 'a', keep: '1 year', action: 'delete', keepFor: 1 } } } }, 'tables.t.retention.keepFor', /unknown key "keepFor"/],
    ['a filter value that is an object', { tables: { t: { columns: {}, retention: { anchor: 'a', keep: '1 year', action: 'delete', filter: { s: { a: 1 } } } } } }, 'tables.t.retention.filter.s', /is not valid here/],
    ['an empty list of legal bases', { tables: { t: { columns: {}, legalBasis: [] } } }, 'tables.t.legalBasis', /is not valid here|needs at least 1 entry/],
    ['a controller without a name', { controller: {}, tables: {} }, 'controller.name', /is required/],
  ])('refuses %s', (_, input, path, message) => {
    const result = validatePolicy(input);
    expect(result.ok).toBe(false);
    const issue = !result.ok ? result.issues.find((i) => i.path === path) : undefined;
    expect(issue, JSON.stringify(result)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('accepts strategies it has no types for (SQL checks them when applied)', () => {
    const result = validatePolicy({ tables: { t: { columns: { vin: { category: 'identifier', mask: 'vin_mask', maskParams: { keepWmi: true } } } } } });
    expect(result.ok).toBe(true);
  });
});

describe('paths and suggestions', () => {
  it('writes paths as TypeScript would', () => {
    expect(formatPath(['tables', 'customer', 'columns', 'email'])).toBe('tables.customer.columns.email');
    expect(formatPath(['tables', 'billing.invoice', 'retention'])).toBe('tables["billing.invoice"].retention');
    expect(formatPath(['subjects', 'customer', 'links', 2])).toBe('subjects.customer.links[2]');
  });

  it('suggests only names close enough to be meant', () => {
    expect(closest('emial', ['email', 'phone'])).toBe('email');
    expect(closest('custmer', ['customer', 'contact_person'])).toBe('customer');
    expect(closest('x', ['email'])).toBeUndefined();
    expect(didYouMean('zzzzzz', ['email'])).toBe('');
  });
});

describe('policy files', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'integritet-files-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  const tsFile = (body: string) => `import { definePolicy } from ${JSON.stringify(INDEX)};\nexport default definePolicy(${body});\n`;

  it('loads a .ts file (types stripped by Node.js) and a .json file alike', async () => {
    const policy = smallPolicy();
    await writeFile(join(directory, 'a.config.ts'), tsFile(JSON.stringify(policy)));
    await writeFile(join(directory, 'a.json'), JSON.stringify(policy));
    expect(await loadPolicy(join(directory, 'a.config.ts'))).toEqual(policy);
    expect(await loadPolicy(join(directory, 'a.json'))).toEqual(policy);
  });

  it('names the file and the path when definePolicy in the file refuses it', async () => {
    const file = join(directory, 'bad.config.ts');
    await writeFile(file, tsFile(`{ tables: { customer: { columns: { email: { category: 'contact', mask: 'email', maskParams: { keepDomain: 'yes' } } } } } }`));
    const error = (await loadPolicy(file).catch((e: unknown) => e)) as PolicyError;
    expect(error).toBeInstanceOf(PolicyError);
    expect(error.issues[0]!.path).toBe('tables.customer.columns.email.maskParams.keepDomain');
    expect(error.message).toContain(file);
  });

  it('checks a plain default export too', async () => {
    const file = join(directory, 'plain.mjs');
    await writeFile(file, 'export default { tables: { customer: { columns: { id: { category: 1 } } } } };\n');
    const error = (await loadPolicy(file).catch((e: unknown) => e)) as PolicyError;
    expect(error.issues[0]).toMatchObject({ path: 'tables.customer.columns.id.category' });
  });

  it('explains a file that cannot be used', async () => {
    await writeFile(join(directory, 'broken.json'), '{ "tables": ');
    await writeFile(join(directory, 'nodefault.mjs'), 'export const policy = {};\n');
    await expect(loadPolicy(join(directory, 'broken.json'))).rejects.toThrow(/is not valid JSON/);
    await expect(loadPolicy(join(directory, 'nodefault.mjs'))).rejects.toThrow(/has no default export/);
    await expect(loadPolicy(join(directory, 'missing.ts'))).rejects.toThrow(/no such file/);
  });

  it('names the line and column of a syntax error, in TypeScript and JavaScript files alike', async () => {
    const text = "export default {\n  tables: {\n    customer: { columns: [1; },\n  },\n};\n";
    await writeFile(join(directory, 'typo.config.ts'), text);
    await writeFile(join(directory, 'typo.mjs'), text);
    await expect(loadPolicy(join(directory, 'typo.config.ts'))).rejects.toThrow('cannot load at line 3, column 28: ');
    await expect(loadPolicy(join(directory, 'typo.mjs'))).rejects.toThrow('cannot load at line 3, column 28: ');
  });

  it('finds the default policy file of a directory', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'integritet-none-'));
    expect(await findPolicyFile(empty)).toBeUndefined();
    await writeFile(join(empty, 'integritet.config.json'), '{"tables": {}}');
    expect(await findPolicyFile(empty)).toBe(join(empty, 'integritet.config.json'));
    await rm(empty, { recursive: true, force: true });
  });

  it('writes a policy as TypeScript that loads back to the same policy, comments included', async () => {
    const policy: Policy = { ...smallPolicy(), controller: { name: "O'Brien & Co \"AB\"" } };
    const text = renderPolicyFile(policy, {
      format: 'ts', importFrom: INDEX, header: ['made by a test'],
      comments: new Map([['tables.customer.columns.email', ['evidence: 3 of 3 are e-mail addresses']]]),
    });
    expect(text).toMatch(/^\/\/ made by a test\nimport \{ definePolicy \}/);
    expect(text).toContain('// evidence: 3 of 3 are e-mail addresses\n        email: {');
    const file = join(directory, 'written.config.ts');
    await writeFile(file, text);
    expect(await loadPolicy(file)).toEqual(policy);
  });
});
