import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.ts';

// sql/README.md: the definitions are written for the latest version and name the toolkit's own
// objects directly, never asking the catalog whether one exists; and what a sweep, a guard or an
// erasure knows about a table travels as a composite type (privacy.table_retention_plan,
// privacy.retention_predicates, privacy.table_erasure_plan; migration 0018), read by field, so
// that a misspelt field is an error plpgsql_check reports, not a silent NULL.
const RULES: { pattern: RegExp; why: string }[] = [
  { pattern: /to_reg(?:class|procedure)\(\s*'privacy\b/i, why: 'probes for a toolkit object by name' },
  { pattern: /\b\w*plans?\s*->/i, why: 'reads a plan as jsonb' },
  { pattern: /\b\w*(?:plans?|preds|predicates)\s+jsonb\b/i, why: 'declares a plan or its predicates as jsonb' },
];

/** Every line of `text` that breaks a rule, as `file:line: why`. */
function typedInternalsProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const rule of RULES) if (rule.pattern.test(line)) problems.push(`${file}:${i + 1}: ${rule.why}: ${line.trim()}`);
  });
  return problems;
}

describe('the internals of sql/', () => {
  const folder = join(packageRoot(), 'sql');

  it('probe for no toolkit object and pass plans as composite types, never as jsonb', () => {
    const files = readdirSync(folder).filter((f) => f.endsWith('.sql') || f.endsWith('.md')).sort();
    expect(files.length).toBeGreaterThan(60);
    expect(files.flatMap((f) => typedInternalsProblems(f, readFileSync(join(folder, f), 'utf8')))).toEqual([]);
  });

  // The check itself: each pattern it exists to catch is caught, and the typed forms pass.
  it.each([
    [`  if pg_catalog.to_regclass('privacy.hidden_row') is null then`, 'probes for a toolkit object by name'],
    [`  v_fn := to_regprocedure('privacy.erase_due(integer)');`, 'probes for a toolkit object by name'],
    [`  v_tz := plan->>'time_zone';`, 'reads a plan as jsonb'],
    [`    from pg_catalog.jsonb_array_elements(v_plan->'key') e`, 'reads a plan as jsonb'],
    [`  plan := plans->v_object;`, 'reads a plan as jsonb'],
    [`create or replace function privacy.sweep_start(plan jsonb, batch_size integer)`, 'declares a plan or its predicates as jsonb'],
    [`  preds    jsonb;`, 'declares a plan or its predicates as jsonb'],
  ])('catches %s', (line, why) => {
    expect(typedInternalsProblems('x.sql', line)).toEqual([`x.sql:1: ${why}: ${line.trim()}`]);
  });

  it.each([
    `  v_tz := plan.time_zone;`,
    `  v_rel oid := pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, table_name));`,
    `  plan     privacy.table_retention_plan;`,
    `  v_blocked jsonb := '{}'::jsonb;`,
  ])('lets %s pass', (line) => {
    expect(typedInternalsProblems('x.sql', line)).toEqual([]);
  });
});
