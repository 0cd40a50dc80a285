import { z } from 'zod';
import { isKnownStrategy, STRATEGY_PARAMS } from '../kysely/strategy-params.ts';
import { isKnownWriteRule, WRITE_RULE_PARAMS } from '../kysely/write-rule-params.ts';
import { didYouMean } from './did-you-mean.ts';
import type { PolicyIssue } from './policy-error.ts';
import { formatPath } from './policy-path.ts';
import { LEGAL_BASES, type Policy } from './policy-types.ts';

// The shape of a policy file. It checks what can be checked without a database (types, names,
// the parameters of the strategies this package knows); whether tables, columns, categories and
// strategies exist is checked against the database by check-policy.ts.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
const TABLE_KEY = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/;
const LINK = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62}){1,2}$/;
const LABEL = /^[a-z][a-z0-9_]{0,62}$/;

const identifier = z.string().regex(IDENTIFIER, 'must be a column name as in the catalog: letters, digits, _ and $');
const label = z.string().regex(LABEL, 'must be lower-case letters, digits and _, starting with a letter');
const tableKey = z.string().regex(TABLE_KEY, 'must be a table name, or schema.table');
const params = z.record(z.string(), z.unknown());
const filterScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const controllerSchema = z.strictObject({
  name: z.string().min(1),
  contact: z.string().optional(),
  dataProtectionOfficer: z.string().optional(),
});

const columnShape = z.strictObject({
  category: label,
  mask: label.optional(),
  maskParams: params.optional(),
  anonymize: label.optional(),
  anonymizeParams: params.optional(),
  write: label.optional(),
  writeParams: params.optional(),
});

const retentionShape = z.strictObject({
  anchor: identifier,
  keep: z.string().min(1, 'must be an interval such as "90 days"'),
  action: z.enum(['anonymize', 'delete']),
  minimum: label.optional(),
  minimumAnchor: identifier.optional(),
  schedule: z.string().min(1).optional(),
  timeZone: z.string().min(1).optional(),
  filter: z.record(identifier, z.union([filterScalar, z.array(filterScalar).min(1)])).optional(),
  expiredPartitions: z.enum(['drop', 'detach', 'rows']).optional(),
});

const legalBasis = z.enum(LEGAL_BASES);

const tableShape = z.strictObject({
  protect: z.boolean().optional(),
  tenantColumn: identifier.optional(),
  tenant: z.unknown().optional(),
  purpose: z.string().min(1).optional(),
  legalBasis: z.union([legalBasis, z.array(legalBasis).min(1)]).optional(),
  columns: z.record(identifier, z.unknown()),
  retention: z.unknown().optional(),
});

const linkRef = z.string().regex(LINK, "must be 'table.column' or 'schema.table.column'");

const subjectShape = z.strictObject({
  table: tableKey,
  key: identifier,
  links: z.array(z.union([linkRef, z.strictObject({ column: linkRef, unchecked: z.boolean().optional() })])).optional(),
  paths: z.array(z.strictObject({ table: tableKey, through: tableKey, foreignKey: identifier.optional() })).optional(),
  description: z.string().optional(),
});

function checkStrategy(
  rule: Record<string, unknown>,
  strategyKey: 'mask' | 'anonymize' | 'write',
  ctx: z.RefinementCtx,
): void {
  const paramsKey = `${strategyKey}Params` as const;
  const strategy = rule[strategyKey];
  const given = rule[paramsKey];
  if (given !== undefined && strategy === undefined) {
    ctx.addIssue({ code: 'custom', path: [paramsKey], message: `${paramsKey} given without ${strategyKey}` });
    return;
  }
  if (typeof strategy !== 'string') return;
  // Unknown ones are checked against the database.
  const schema = strategyKey === 'write'
    ? (isKnownWriteRule(strategy) ? WRITE_RULE_PARAMS[strategy] : undefined)
    : (isKnownStrategy(strategy) ? STRATEGY_PARAMS[strategy] : undefined);
  if (!schema) return;
  const parsed = schema.safeParse(given ?? {}, { reportInput: true });
  if (parsed.success) return;
  const keys = Object.keys(schema.shape);
  for (const issue of describeIssues(parsed.error.issues, () => keys, `parameter of ${strategy}`)) {
    ctx.addIssue({ code: 'custom', path: [paramsKey, ...issue.segments], message: issue.message });
  }
}

const columnSchema = columnShape.superRefine((rule, ctx) => {
  checkStrategy(rule, 'mask', ctx);
  checkStrategy(rule, 'anonymize', ctx);
  checkStrategy(rule, 'write', ctx);
});

const retentionSchema = retentionShape.superRefine((retention, ctx) => {
  if (retention.minimum !== undefined && retention.minimumAnchor === undefined) {
    ctx.addIssue({ code: 'custom', path: ['minimumAnchor'], message: `minimum ${retention.minimum} needs minimumAnchor (the date it runs from)` });
  }
  if (retention.minimum === undefined && retention.minimumAnchor !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['minimum'], message: 'minimumAnchor given without a minimum' });
  }
});

const TENANT_FORMS = "tenant must be { via: 'fk_column', column: 'tenant_column' }, "
  + "{ via: ['fk_column', 'next_fk_column'], column: 'tenant_column' } or 'shared'";

// `tenant`: a path of foreign keys to the tenant column, or 'shared'. Checked by hand for messages
// that say which form was meant.
function checkTenant(table: { protect?: boolean; tenantColumn?: string; tenant?: unknown }, ctx: z.RefinementCtx): void {
  const tenant = table.tenant;
  if (tenant === undefined) return;
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path: ['tenant', ...path], message });
  if (table.tenantColumn !== undefined) issue([], 'give either tenantColumn (a column of the table) or tenant (through foreign keys, or shared), not both');
  if (table.protect === false) issue([], 'a tenant needs a protected table (protect is false)');
  if (tenant === 'shared') return;
  if (typeof tenant !== 'object' || tenant === null || Array.isArray(tenant)) {
    issue([], typeof tenant === 'string' ? `unknown tenant "${tenant}": ${TENANT_FORMS}` : TENANT_FORMS);
    return;
  }
  const record = tenant as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'via' && key !== 'column') issue([key], `unknown key "${key}"${didYouMean(key, ['via', 'column'])}: ${TENANT_FORMS}`);
  }
  if (record.column === undefined) issue(['column'], 'the tenant column of the table the path leads to is missing');
  else if (!identifier.safeParse(record.column).success) issue(['column'], 'must be a column name as in the catalog: letters, digits, _ and $');
  const via = record.via;
  if (via === undefined) issue(['via'], 'the foreign-key column(s) leading to the tenant are missing');
  else if (typeof via === 'string') {
    if (!identifier.safeParse(via).success) issue(['via'], 'must be a column name as in the catalog: letters, digits, _ and $');
  } else if (Array.isArray(via)) {
    if (via.length === 0) issue(['via'], 'a path needs at least one foreign-key column');
    via.forEach((hop, i) => {
      if (!identifier.safeParse(hop).success) issue(['via', i], 'must be a column name as in the catalog: letters, digits, _ and $');
    });
  } else issue(['via'], 'must be a foreign-key column, or a list of them (one per hop)');
}

const tableSchema = tableShape
  .extend({ columns: z.record(identifier, columnSchema), retention: retentionSchema.optional() })
  .superRefine((table, ctx) => {
    if (table.protect === false && table.tenantColumn !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tenantColumn'], message: 'a tenant column needs a protected table (protect is false)' });
    }
    checkTenant(table, ctx);
  });

/** The zod schema of a policy file. */
export const policySchema = z.strictObject({
  controller: controllerSchema.optional(),
  tables: z.record(tableKey, tableSchema),
  subjects: z.record(label, subjectShape).optional(),
});

// The keys each object of the policy may have, by the shape of its path: for "did you mean".
function knownKeysAt(segments: readonly PropertyKey[]): string[] {
  const [first, , third] = segments;
  switch (segments.length) {
    case 0: return Object.keys(policySchema.shape);
    case 1: return first === 'controller' ? Object.keys(controllerSchema.shape) : [];
    case 2: return first === 'tables' ? Object.keys(tableShape.shape) : first === 'subjects' ? Object.keys(subjectShape.shape) : [];
    case 3: return first === 'tables' && third === 'retention' ? Object.keys(retentionShape.shape) : [];
    case 4: return first === 'tables' && third === 'columns' ? Object.keys(columnShape.shape) : [];
    default: return [];
  }
}

interface DescribedIssue {
  segments: PropertyKey[];
  message: string;
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'object') return 'an object';
  return JSON.stringify(input);
}

/** zod's issues as short messages, one per offending key, with suggestions for unknown keys. */
function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  keysAt: (segments: readonly PropertyKey[]) => string[],
  keyKind = 'key',
): DescribedIssue[] {
  const described: DescribedIssue[] = [];
  for (const issue of issues) {
    const segments = [...issue.path];
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          described.push({ segments: [...segments, key], message: `unknown ${keyKind} "${key}"${didYouMean(key, keysAt(segments))}` });
        }
        break;
      case 'invalid_type':
        described.push({
          segments,
          message: input === undefined ? `is required (${issue.expected})` : `must be ${issue.expected === 'record' ? 'an object' : `a ${issue.expected}`}, not ${describeInput(input)}`,
        });
        break;
      case 'invalid_value':
        described.push({
          segments,
          message: input === undefined
            ? `is required: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
            : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, not ${describeInput(input)}`,
        });
        break;
      case 'too_small':
        described.push({
          segments,
          message: issue.origin === 'string' ? 'must not be empty'
            : issue.origin === 'array' ? `needs at least ${issue.minimum} ${Number(issue.minimum) === 1 ? 'entry' : 'entries'}`
              : `must be at least ${issue.minimum}, not ${describeInput(input)}`,
        });
        break;
      case 'too_big':
        described.push({ segments, message: `must be at most ${issue.maximum}, not ${describeInput(input)}` });
        break;
      case 'invalid_key':
        described.push({ segments, message: `${issue.issues[0]?.message ?? 'is not a valid key'}, not ${describeInput(input)}` });
        break;
      case 'invalid_union':
        described.push({ segments, message: `is not valid here: ${describeInput(input)}` });
        break;
      case 'invalid_format':
        described.push({ segments, message: `${issue.message}, not ${describeInput(input)}` });
        break;
      default:
        described.push({ segments, message: issue.message });
    }
  }
  return described;
}

/** The result of {@link validatePolicy}: the policy, or every problem with its path. */
export type PolicyValidation = { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] };

/** Checks the shape of a policy without a database; never throws. */
export function validatePolicy(input: unknown): PolicyValidation {
  const parsed = policySchema.safeParse(input, { reportInput: true });
  // The handwritten Policy type is stricter than the schema (strategy-typed parameters), and the
  // refinements above check exactly that difference.
  if (parsed.success) return { ok: true, policy: parsed.data as Policy };
  const issues = describeIssues(parsed.error.issues, knownKeysAt).map((issue) => ({
    path: formatPath(issue.segments),
    message: issue.message,
  }));
  return { ok: false, issues };
}
