import { sql } from 'kysely';
import { readCatalog, type CatalogSnapshot } from '../../kysely/api/read-catalog.ts';
import type { Executor } from '../../client/call-privacy.ts';
import { readDatabaseSchema, topLevelTables, type DatabaseSchema } from '../database-schema.ts';
import { RETENTION_DEFAULTS } from '../declared-state.ts';
import type { Controller, LegalBasis, Policy } from '../policy-types.ts';
import { parseTableKey, qualified } from '../table-names.ts';

/** A category of personal data held in a table, and the columns that hold it. */
export interface CategoryRecord {
  name: string;
  description: string;
  columns: string[];
}

/** One table's entry in the record of processing activities. */
export interface TableRecord {
  table: string;
  purpose: string | null;
  legalBases: LegalBasis[];
  categories: CategoryRecord[];
  /** Kinds of data subjects the table refers to, and through which columns. */
  subjects: { type: string; description: string; columns: string[] }[];
  /** When the data is erased, in words; null when no retention policy is declared. */
  retention: string | null;
  /** The statutory minimum that keeps rows longer, with its law. */
  minimum: { name: string; law: string } | null;
  /** Technical measures (Art. 32) the toolkit enforces for the table. */
  measures: string[];
  protected: boolean;
  unclassifiedColumns: string[];
}

/** A share: `part` of `whole`. */
export interface Coverage {
  part: number;
  whole: number;
}

/** The record of processing activities (GDPR Art. 30(1)) drawn from the catalog and the policy file. */
export interface ProcessingRecord {
  database: string;
  generatedAt: string;
  controller: Controller | null;
  tables: TableRecord[];
  /** Holds in force, counted by subject type and reason; never who is held. */
  holds: { total: number; groups: { subjectType: string; reason: string; count: number }[] };
  coverage: {
    /** Classified columns of all user tables. */
    columnsClassified: Coverage;
    /** Protected tables among those holding personal data. */
    tablesProtected: Coverage;
    /** Tables holding personal data that have a retention policy. */
    tablesWithRetention: Coverage;
  };
}

const PSEUDONYMISING = new Set(['pseudonym', 'hash']);

function retentionText(r: CatalogSnapshot['retentionPolicies'][number], law: string | undefined): string {
  const what = r.action === 'delete' ? 'Deleted' : 'Anonymized';
  let text = `${what} ${r.keep} after ${r.anchor}`;
  if (r.minimum) text += `, but not before the statutory minimum "${r.minimum}"${law ? ` (${law})` : ''} counted from ${r.minimumAnchor} has passed`;
  const filter = Object.entries(r.filter);
  if (filter.length > 0) text += `; applies only to rows with ${filter.map(([k, v]) => `${k} ${Array.isArray(v) ? `in (${v.join(', ')})` : `= ${String(v)}`}`).join(' and ')}`;
  text += '; never while a legal hold covers the subject.';
  if (r.schedule !== RETENTION_DEFAULTS.schedule || r.timeZone !== RETENTION_DEFAULTS.timeZone) text += ` Swept on schedule ${r.schedule} (${r.timeZone}).`;
  return text;
}

/** Builds the record from what was read (see {@link buildProcessingRecord}). */
export function processingRecordOf(
  catalog: CatalogSnapshot,
  schema: DatabaseSchema,
  policy: Policy | undefined,
  meta: { database: string; generatedAt: string; writeRules?: { table: string; column: string; rule: string }[] },
): ProcessingRecord {
  const personalCategory = new Map(catalog.categories.map((c) => [c.name, c]));
  const protections = new Map(catalog.protectedTables.map((p) => [qualified(p), p]));
  const retention = new Map(catalog.retentionPolicies.map((r) => [qualified(r), r]));
  const laws = new Map(catalog.statutoryMinimums.map((m) => [m.name, m.law]));
  const policyTables = new Map(Object.entries(policy?.tables ?? {}).map(([key, t]) => [qualified(parseTableKey(key)), t]));
  const subjectTypes = new Map(catalog.subjectTypes.map((s) => [s.name, s]));

  let columnsTotal = 0;
  let columnsClassified = 0;
  const tables: TableRecord[] = [];
  for (const table of topLevelTables(schema)) {
    const name = qualified(table);
    const rules = new Map(catalog.columnRules.filter((r) => qualified(r) === name).map((r) => [r.column, r]));
    columnsTotal += table.columns.length;
    columnsClassified += table.columns.filter((c) => rules.has(c.name)).length;
    const unclassified = table.columns.filter((c) => !rules.has(c.name)).map((c) => c.name);
    const protection = protections.get(name);
    const categories = new Map<string, CategoryRecord>();
    for (const column of table.columns) {
      const rule = rules.get(column.name);
      if (!rule) continue;
      const category = personalCategory.get(rule.category);
      if (category && !category.personal) continue;
      const record = categories.get(rule.category) ?? { name: rule.category, description: category?.description ?? '', columns: [] };
      record.columns.push(column.name);
      categories.set(rule.category, record);
    }
    // Unclassified columns count as personal (privacy by default), so their tables are in the
    // record too; only tables whose every column is classified not personal are left out.
    if (categories.size === 0 && unclassified.length === 0) continue;

    const links = catalog.subjectLinks.filter((l) => qualified(l) === name);
    const subjects = [...new Set(links.map((l) => l.subjectType))].map((type) => ({
      type, description: subjectTypes.get(type)?.description ?? '',
      columns: links.filter((l) => l.subjectType === type).map((l) => l.column),
    }));

    const ruleList = [...rules.values()];
    const masked = ruleList.filter((r) => r.mask && personalCategory.get(r.category)?.personal !== false);
    const hidden = ruleList.filter((r) => !r.mask && personalCategory.get(r.category)?.personal !== false);
    const measures: string[] = [];
    if (protection) {
      measures.push(`Restricted roles read it through a masked view: ${masked.length} column${masked.length === 1 ? '' : 's'} masked, ${hidden.length + unclassified.length} hidden.`);
      measures.push(protection.tenantVia && protection.tenantColumn
        ? `Row-level security isolates tenants by ${protection.tenantColumn}, reached through ${protection.tenantVia.join(' → ')}.`
        : protection.tenantColumn ? `Row-level security isolates tenants by ${protection.tenantColumn}.`
          : protection.shared ? 'Shared by every tenant (declared without a tenant).'
            : 'No tenant isolation: every tenant reads its rows (no tenant declared).');
    } else {
      measures.push('Not protected: roles with access read it as stored.');
    }
    const pseudonymised = ruleList.filter((r) => PSEUDONYMISING.has(r.mask ?? '')).map((r) => r.column);
    if (pseudonymised.length > 0) measures.push(`Pseudonymised for restricted roles: ${pseudonymised.join(', ')}.`);
    const anonymized = ruleList.filter((r) => r.anonymize).map((r) => r.column);
    const r = retention.get(name);
    if (r?.action === 'anonymize' && anonymized.length > 0) measures.push(`Anonymized on expiry: ${anonymized.join(', ')}.`);
    const minimised = (meta.writeRules ?? []).filter((w) => w.table === name).map((w) => `${w.column} (${w.rule})`);
    if (minimised.length > 0) measures.push(`Minimised on write, before it is stored: ${minimised.join(', ')}.`);
    measures.push('Every declaration, sweep, erasure, export and reveal is written to an append-only ledger without personal data.');

    const fromPolicy = policyTables.get(name);
    const bases = fromPolicy?.legalBasis;
    tables.push({
      table: name,
      purpose: fromPolicy?.purpose ?? null,
      legalBases: bases === undefined ? [] : Array.isArray(bases) ? bases : [bases],
      categories: [...categories.values()],
      subjects,
      retention: r ? retentionText(r, r.minimum ? laws.get(r.minimum) : undefined) : null,
      minimum: r?.minimum ? { name: r.minimum, law: laws.get(r.minimum) ?? '' } : null,
      measures,
      protected: protection !== undefined,
      unclassifiedColumns: unclassified,
    });
  }
  const personalTables = tables.length;
  return {
    ...meta,
    controller: policy?.controller ?? null,
    tables,
    holds: { total: catalog.holdsInForce.reduce((sum, h) => sum + h.count, 0), groups: catalog.holdsInForce },
    coverage: {
      columnsClassified: { part: columnsClassified, whole: columnsTotal },
      tablesProtected: { part: tables.filter((t) => t.protected).length, whole: personalTables },
      tablesWithRetention: { part: tables.filter((t) => t.retention !== null).length, whole: personalTables },
    },
  };
}

/**
 * Reads the catalog and the schema (one snapshot) and draws the record of processing
 * activities: per table the categories of personal data, the subjects, purposes and legal bases
 * (from the policy file: the database does not hold them), retention and erasure, the security
 * measures in force, holds in force (counted, never listed) and coverage figures.
 */
export async function buildProcessingRecord(db: Executor, options: { policy?: Policy; now?: Date } = {}): Promise<ProcessingRecord> {
  const read = async (trx: Executor) => {
    const catalog = await readCatalog(trx);
    const schema = await readDatabaseSchema(trx);
    const { rows } = await sql<{ database: string }>`select pg_catalog.current_database() as database`.execute(trx);
    // Write-minimisation rules (truncate_ip, scrub_text …) are security measures too (Art. 25, 32).
    const { rows: writeRules } = await sql<{ table: string; column: string; rule: string }>`
      select pg_catalog.format('%I.%I', r.schema_name, r.table_name) as "table", r.column_name as "column", r.write_rule as rule
      from privacy.column_rule r where r.write_rule is not null order by 1, 2`.execute(trx);
    return processingRecordOf(catalog, schema, options.policy, {
      database: rows[0]!.database, generatedAt: (options.now ?? new Date()).toISOString(), writeRules,
    });
  };
  return db.isTransaction ? read(db) : db.transaction().setAccessMode('read only').execute(read);
}

/** `57 %` of a coverage; `–` when there is nothing to cover. */
export function percent(coverage: Coverage): string {
  return coverage.whole === 0 ? '–' : `${Math.round((100 * coverage.part) / coverage.whole)} %`;
}
