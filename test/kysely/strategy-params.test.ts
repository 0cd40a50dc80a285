import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { readCatalog, type CatalogSnapshot } from '../../src/kysely/api/read-catalog.ts';
import {
  STRATEGY_PARAMS, camelCase, fromSqlParams, isKnownStrategy, snakeCase, toSqlParams, type StrategyName,
} from '../../src/kysely/strategy-params.ts';
import type { StrategyParamSpec } from '../../src/kysely/catalog/strategy.table.ts';
import { WRITE_RULE_PARAMS, type WriteRuleName } from '../../src/kysely/write-rule-params.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { kyselyFor } from '../policy/policy-fixtures.ts';

const db = useTestDatabase('base');

describe('the typed strategy parameters mirror the SQL registry (sql/031-strategies.sql)', () => {
  let strategies: CatalogSnapshot['strategies'];
  beforeAll(async () => {
    strategies = (await readCatalog(kyselyFor(db.url))).strategies;
  });

  it('every mask or anonymization strategy in SQL has typed parameters here', () => {
    const inSql = strategies.filter((s) => s.usableFor !== 'write').map((s) => s.name).sort();
    expect(inSql).toEqual(Object.keys(STRATEGY_PARAMS).sort());
  });

  it.each(Object.keys(STRATEGY_PARAMS) as StrategyName[])('%s: same parameters, required ones, choices and bounds', (name) => {
    expectMirrors(name, STRATEGY_PARAMS[name], strategies.find((s) => s.name === name)!.paramSpec);
  });
});

describe('the typed write-rule parameters mirror the SQL registry (sql/170-write-rule-registry.sql)', () => {
  let strategies: CatalogSnapshot['strategies'];
  beforeAll(async () => {
    strategies = (await readCatalog(kyselyFor(db.url))).strategies;
  });

  it('every write rule in SQL has typed parameters here', () => {
    expect(strategies.filter((s) => s.usableFor === 'write').map((s) => s.name).sort()).toEqual(Object.keys(WRITE_RULE_PARAMS).sort());
  });

  it.each(Object.keys(WRITE_RULE_PARAMS) as WriteRuleName[])('%s: same parameters, required ones, choices and bounds', (name) => {
    expectMirrors(name, WRITE_RULE_PARAMS[name], strategies.find((s) => s.name === name)!.paramSpec);
  });
});

/** The zod schema of a strategy's parameters takes what its SQL spec takes, and refuses the rest. */
function expectMirrors(name: string, schema: z.ZodObject, spec: Record<string, StrategyParamSpec>): void {
  expect(Object.keys(schema.shape).map(snakeCase).sort()).toEqual(Object.keys(spec).sort());
  const required = Object.entries(spec).filter(([, rule]) => rule.required).map(([key]) => camelCase(key));
  // A value every parameter accepts, to test one parameter at a time.
  const base: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(spec)) {
    if (rule.required) base[camelCase(key)] = rule.enum?.[0];
  }
  const accepts = (key: string, value: unknown) => schema.safeParse({ ...base, [key]: value }).success;
  for (const key of Object.keys(schema.shape)) {
    const without = { ...base };
    delete without[key];
    expect(schema.safeParse(without).success, `${name}.${key} required`).toBe(!required.includes(key));
  }
  for (const [sqlKey, rule] of Object.entries(spec)) {
    const key = camelCase(sqlKey);
    for (const choice of rule.enum ?? []) expect(accepts(key, choice), `${name}.${key} = ${String(choice)}`).toBe(true);
    if (rule.enum) expect(accepts(key, 'no such choice')).toBe(false);
    if (rule.minimum !== undefined) {
      expect(accepts(key, rule.minimum)).toBe(true);
      expect(accepts(key, rule.minimum - 1)).toBe(false);
    }
    if (rule.maximum !== undefined) {
      expect(accepts(key, rule.maximum)).toBe(true);
      expect(accepts(key, rule.maximum + 1)).toBe(false);
    }
    if (rule.type === 'integer') expect(accepts(key, (rule.minimum ?? 0) + 0.5)).toBe(false);
    if (rule.type === 'boolean') expect(accepts(key, 'true')).toBe(false);
    if (rule.type === 'number' || rule.type === 'integer') expect(accepts(key, '1')).toBe(false);
    if (rule.type === 'string' && !rule.enum) expect(accepts(key, 1)).toBe(false);
  }
}

describe('parameter names: camelCase in TypeScript, snake_case in SQL', () => {
  it('converts both ways, keys only', () => {
    expect(toSqlParams({ keepFirst: 1, referenceLatitude: 59.3, unit: 'quarter_hour' }))
      .toEqual({ keep_first: 1, reference_latitude: 59.3, unit: 'quarter_hour' });
    expect(fromSqlParams({ keep_first: 1, time_zone: 'Europe/Stockholm' })).toEqual({ keepFirst: 1, timeZone: 'Europe/Stockholm' });
    expect(toSqlParams(toSqlParams({ keepLast: 2 }))).toEqual({ keep_last: 2 });
    expect(isKnownStrategy('partial')).toBe(true);
    expect(isKnownStrategy('toString')).toBe(false);
  });
});
