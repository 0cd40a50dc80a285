import type { CatalogSnapshot } from '../kysely/api/read-catalog.ts';
import { toSqlParams } from '../kysely/strategy-params.ts';
import { formatPath } from './policy-path.ts';
import type { Policy } from './policy-types.ts';
import { parseColumnRef, parseTableKey, qualified, type TableName } from './table-names.ts';

// What is declared, in one normalised form for both sides of a plan: the catalog as it is, and
// the catalog as the policy file says it should be. Strategy parameters are snake_case as SQL
// stores them; keep periods are PostgreSQL's own text of the interval.

/** A protected table and its tenant: a column, a path of foreign keys to one, or shared. */
export interface ProtectionState extends TableName {
  /** Of the table itself, or (with tenantVia) of the table the path leads to. */
  tenantColumn: string | null;
  /** The foreign-key columns followed, hop by hop; null: tenantColumn is the table's own. */
  tenantVia: string[] | null;
  /** No tenant, on purpose: every tenant reads its rows. */
  shared: boolean;
}

/** A classified column. */
export interface ColumnRuleState extends TableName {
  column: string;
  category: string;
  mask: string | null;
  maskParams: Record<string, unknown>;
  anonymize: string | null;
  anonymizeParams: Record<string, unknown>;
  /** The write rule, applied before a value is stored. */
  write: string | null;
  writeParams: Record<string, unknown>;
}

/** A subject type and where its subjects live. */
export interface SubjectTypeState extends TableName {
  name: string;
  key: string;
  description: string;
}

/** A column linked to a subject type. */
export interface SubjectLinkState extends TableName {
  subjectType: string;
  column: string;
  /** Taken on trust: no foreign key to the subject's key backs it. */
  unchecked: boolean;
}

/** A table linked to a subject type through a foreign key to or from a linked table. */
export interface SubjectPathState extends TableName {
  subjectType: string;
  parentSchema: string;
  parentTable: string;
  /** The constraint; a policy that names none leaves it out, and any one matches. */
  foreignKey?: string;
}

/** A table's retention policy. */
export interface RetentionState extends TableName {
  anchor: string;
  keep: string;
  action: 'anonymize' | 'delete';
  minimum: string | null;
  minimumAnchor: string | null;
  schedule: string;
  timeZone: string;
  filter: Record<string, unknown>;
  expiredPartitions: 'drop' | 'detach' | 'rows';
}

/** Everything declared, each kind keyed by its object name (see the `*Key` functions). */
export interface DeclaredState {
  protections: Map<string, ProtectionState>;
  columnRules: Map<string, ColumnRuleState>;
  subjectTypes: Map<string, SubjectTypeState>;
  subjectLinks: Map<string, SubjectLinkState>;
  subjectPaths: Map<string, SubjectPathState>;
  retention: Map<string, RetentionState>;
}

/** The declared state the policy file asks for, with where in the file each object comes from. */
export interface DesiredState extends DeclaredState {
  /** `kind:key` → path in the policy, e.g. `column:public.customer.email` → `tables.customer.columns.email`. */
  paths: Map<string, string>;
}

/** What `privacy.set_retention()` stores when nothing is given (sql/070-retention.sql, migration 0004). */
export const RETENTION_DEFAULTS = { schedule: '0 3 * * *', timeZone: 'UTC', filter: {}, expiredPartitions: 'drop' } as const;

/** `public.customer.email`: the key of a column rule in a {@link DeclaredState}. */
export const columnKey = (c: TableName & { column: string }): string => `${qualified(c)}.${c.column}`;
/** `customer: public.invoice.customer_id`: the key of a subject link in a {@link DeclaredState}. */
export const linkKey = (l: SubjectLinkState): string => `${l.subjectType}: ${qualified(l)}.${l.column}`;
/** `customer: public.film_review through public.rental`: the key of a path link in a {@link DeclaredState}. */
export const pathKey = (p: SubjectPathState): string =>
  `${p.subjectType}: ${qualified(p)} through ${qualified({ schema: p.parentSchema, table: p.parentTable })}`;

function emptyState(): DeclaredState {
  return {
    protections: new Map(), columnRules: new Map(), subjectTypes: new Map(), subjectLinks: new Map(), subjectPaths: new Map(),
    retention: new Map(),
  };
}

/** The tenant a table of the policy declares, as the catalog stores it. */
function protectionOf(table: Policy['tables'][string]): Pick<ProtectionState, 'tenantColumn' | 'tenantVia' | 'shared'> {
  const tenant = table.tenant;
  if (tenant === 'shared') return { tenantColumn: null, tenantVia: null, shared: true };
  if (tenant) return { tenantColumn: tenant.column, tenantVia: typeof tenant.via === 'string' ? [tenant.via] : [...tenant.via], shared: false };
  return { tenantColumn: table.tenantColumn ?? null, tenantVia: null, shared: false };
}

/** The catalog as a declared state. */
export function stateFromCatalog(catalog: CatalogSnapshot): DeclaredState {
  const state = emptyState();
  for (const p of catalog.protectedTables) state.protections.set(qualified(p), { ...p });
  for (const r of catalog.columnRules) state.columnRules.set(columnKey(r), { ...r });
  for (const s of catalog.subjectTypes) state.subjectTypes.set(s.name, { ...s });
  for (const l of catalog.subjectLinks) state.subjectLinks.set(linkKey(l), { ...l });
  for (const p of catalog.subjectPaths) state.subjectPaths.set(pathKey(p), { ...p });
  for (const r of catalog.retentionPolicies) state.retention.set(qualified(r), { ...r });
  return state;
}

/**
 * The policy as a declared state. `keepText` gives PostgreSQL's text of a keep period (the
 * policy has been checked, so every period is valid by now).
 */
export function stateFromPolicy(policy: Policy, keepText: (keep: string) => string): DesiredState {
  const state: DesiredState = { ...emptyState(), paths: new Map() };
  for (const [key, table] of Object.entries(policy.tables)) {
    const name = parseTableKey(key);
    const tablePath = ['tables', key];
    if (table.protect ?? true) {
      state.protections.set(qualified(name), { ...name, ...protectionOf(table) });
      state.paths.set(`protection:${qualified(name)}`, formatPath(tablePath));
    }
    for (const [column, rule] of Object.entries(table.columns)) {
      const ruleState: ColumnRuleState = {
        ...name, column, category: rule.category,
        mask: rule.mask ?? null, maskParams: toSqlParams(rule.maskParams),
        anonymize: rule.anonymize ?? null, anonymizeParams: toSqlParams(rule.anonymizeParams),
        write: rule.write ?? null, writeParams: toSqlParams(rule.writeParams),
      };
      state.columnRules.set(columnKey(ruleState), ruleState);
      state.paths.set(`column:${columnKey(ruleState)}`, formatPath([...tablePath, 'columns', column]));
    }
    if (table.retention) {
      const r = table.retention;
      state.retention.set(qualified(name), {
        ...name, anchor: r.anchor, keep: keepText(r.keep), action: r.action,
        minimum: r.minimum ?? null, minimumAnchor: r.minimumAnchor ?? null,
        schedule: r.schedule ?? RETENTION_DEFAULTS.schedule, timeZone: r.timeZone ?? RETENTION_DEFAULTS.timeZone,
        filter: r.filter ?? RETENTION_DEFAULTS.filter, expiredPartitions: r.expiredPartitions ?? RETENTION_DEFAULTS.expiredPartitions,
      });
      state.paths.set(`retention:${qualified(name)}`, formatPath([...tablePath, 'retention']));
    }
  }
  for (const [type, subject] of Object.entries(policy.subjects ?? {})) {
    const home = parseTableKey(subject.table);
    state.subjectTypes.set(type, { ...home, name: type, key: subject.key, description: subject.description ?? '' });
    state.paths.set(`subject-type:${type}`, formatPath(['subjects', type]));
    // Declaring a subject type links its key column too.
    const keyLink: SubjectLinkState = { ...home, subjectType: type, column: subject.key, unchecked: false };
    state.subjectLinks.set(linkKey(keyLink), keyLink);
    state.paths.set(`subject-link:${linkKey(keyLink)}`, formatPath(['subjects', type, 'key']));
    (subject.links ?? []).forEach((ref, index) => {
      const link: SubjectLinkState = typeof ref === 'string'
        ? { ...parseColumnRef(ref), subjectType: type, unchecked: false }
        : { ...parseColumnRef(ref.column), subjectType: type, unchecked: ref.unchecked ?? false };
      if (!state.subjectLinks.has(linkKey(link))) {
        state.subjectLinks.set(linkKey(link), link);
        state.paths.set(`subject-link:${linkKey(link)}`, formatPath(['subjects', type, 'links', index]));
      }
    });
    (subject.paths ?? []).forEach((ref, index) => {
      const parent = parseTableKey(ref.through);
      const path: SubjectPathState = {
        ...parseTableKey(ref.table), subjectType: type, parentSchema: parent.schema, parentTable: parent.table,
        ...(ref.foreignKey ? { foreignKey: ref.foreignKey } : {}),
      };
      state.subjectPaths.set(pathKey(path), path);
      state.paths.set(`subject-path:${pathKey(path)}`, formatPath(['subjects', type, 'paths', index]));
    });
  }
  return state;
}
