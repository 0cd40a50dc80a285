import { sql } from 'kysely';
import type { Executor } from '../../client/call-privacy.ts';
import { readDatabaseSchema, topLevelTables, type DatabaseTable } from '../database-schema.ts';
import { formatPath } from '../policy-path.ts';
import type { ColumnPolicy, Policy, TablePolicy } from '../policy-types.ts';
import { qualified, tableKey } from '../table-names.ts';
import { kindFromName } from './column-name-patterns.ts';
import { evidentTenant } from './evident-tenant.ts';
import { readForeignKeys } from './foreign-keys.ts';
import { PERSONAL_KINDS, type PersonalKind } from './personal-kinds.ts';
import { linkedToSubjects } from './subject-links.ts';
import { kindFromValues, looksLikeCoordinates } from './value-patterns.ts';

/** How sure a proposal is: both the name and the values agree, only one of them, or neither. */
export type Confidence = 'high' | 'medium' | 'low';

/** One column's proposal with the evidence for it. */
export interface ColumnFinding {
  table: string;
  column: string;
  type: string;
  kind: PersonalKind;
  confidence: Confidence;
  /** Why: what the name matched, what share of sampled values fit which pattern. */
  evidence: string[];
  /**
   * The proposed classification; none for a column nothing recognises, which stays unclassified
   * (restricted roles read NULL) until a person reviews it: privacy by default.
   */
  suggestion: ColumnPolicy | undefined;
}

/** What `discover` found: a policy to review, and the findings it was made from. */
export interface Discovery {
  policy: Policy;
  findings: ColumnFinding[];
  /** Evidence as comments for the policy file, by path. */
  comments: Map<string, string[]>;
}

/** Options of {@link discoverPolicy}. */
export interface DiscoverOptions {
  /** Values sampled per table (default 200). */
  sampleSize?: number;
  /**
   * The column holding the tenant, set as `tenantColumn` on every table that has it. Default: the
   * one the foreign keys make evident, if any (the table most protected tables reference).
   */
  tenantColumn?: string;
  /** Only these tables (`table` or `schema.table`); default every user table. */
  tables?: string[];
  /** Called before each table is sampled (for progress). */
  onTable?: (table: string, index: number, count: number) => void;
}

const TEXT_LIKE = /^(text|character varying|character|varchar|citext|inet|cidr|macaddr|json|jsonb|uuid)/;
const NUMERIC = /^(double precision|real|numeric|decimal)/;

// A sample from anywhere in the table, without reading all of it: TABLESAMPLE for big tables.
async function sampleTable(db: Executor, table: DatabaseTable, size: number): Promise<{ values: Map<string, string[]>; rows: number }> {
  const columns = table.columns.map((c) => sql`${sql.ref(c.name)}::text as ${sql.id(`c${table.columns.indexOf(c)}`)}`);
  const from = sql`${sql.id(table.schema, table.table)}`;
  const percent = table.estimatedRows > size * 20 ? Math.max(0.01, Math.min(100, (100 * size * 5) / table.estimatedRows)) : undefined;
  const query = percent === undefined
    ? sql<Record<string, string | null>>`select ${sql.join(columns)} from ${from} limit ${size}`
    : sql<Record<string, string | null>>`select ${sql.join(columns)} from ${from} tablesample system (${sql.lit(Number(percent.toFixed(4)))}) limit ${size}`;
  const { rows } = await query.execute(db);
  const values = new Map<string, string[]>();
  table.columns.forEach((column, i) => {
    values.set(column.name, rows.map((r) => r[`c${i}`]).filter((v): v is string => v !== null && v !== undefined && v !== ''));
  });
  return { values, rows: rows.length };
}

function judge(table: DatabaseTable, column: DatabaseTable['columns'][number], values: string[]): ColumnFinding {
  const byName = kindFromName(column.name);
  const evidence: string[] = [];
  let kind: PersonalKind = 'nothing_personal';
  let confidence: Confidence = 'low';
  if (byName) evidence.push(`name suggests ${PERSONAL_KINDS[byName.kind].label}`);

  if (byName?.kind === 'coordinate' && NUMERIC.test(column.type)) {
    kind = 'coordinate';
    confidence = looksLikeCoordinates(values) ? 'high' : 'medium';
    if (confidence === 'high') evidence.push(`${values.length} sampled values are in coordinate range`);
  } else if (TEXT_LIKE.test(column.type) || column.type === 'inet') {
    const byValue = kindFromValues(values);
    if (byValue) {
      evidence.push(`${byValue.matched} of ${byValue.sampled} sampled values are ${PERSONAL_KINDS[byValue.kind].label}`, ...byValue.notes);
      kind = byValue.kind;
      confidence = byName?.kind === byValue.kind ? 'high' : 'medium';
    } else if (byName) {
      kind = byName.kind;
      confidence = 'medium';
      evidence.push(values.length === 0 ? 'no values to sample' : `no recognisable pattern in ${values.length} sampled values`);
    } else {
      evidence.push(values.length === 0 ? 'no values to sample' : `no personal pattern in ${values.length} sampled values`);
    }
  } else if (byName) {
    kind = byName.kind;
    confidence = 'medium';
  } else {
    evidence.push(`${column.type}: no personal name pattern`);
  }
  if (column.type === 'inet' || column.type === 'cidr') {
    kind = 'ip_address';
    confidence = 'high';
  }
  if (kind === 'row_key') confidence = byName ? 'medium' : 'low';
  if (kind === 'nothing_personal') evidence.push('not recognised: left unclassified, so restricted roles read NULL until you classify it');
  // Assigned in a statement, not a conditional expression: a union with ColumnPolicy (a product of
  // every mask, anonymize and write choice) is more than the type checker will expand.
  let suggestion: ColumnPolicy | undefined;
  if (kind !== 'nothing_personal') suggestion = PERSONAL_KINDS[kind].suggest({ nullable: !column.notNull, column: column.name.toLowerCase() });
  return { table: qualified(table), column: column.name, type: column.type, kind, confidence, evidence, suggestion };
}

/**
 * Proposes a policy for a database nobody has classified: every column of every user table,
 * judged from its name and a sample of its values (e-mail addresses, phone numbers,
 * personnummer and organisation numbers with their check digit, names, addresses, IP addresses,
 * coordinates, free text …), with the evidence for each proposal. Only reads; the result is a
 * file for a person to review, never applied by itself.
 */
export async function discoverPolicy(db: Executor, options: DiscoverOptions = {}): Promise<Discovery> {
  const size = options.sampleSize ?? 200;
  const schema = await readDatabaseSchema(db);
  const wanted = options.tables?.map((t) => (t.includes('.') ? t : `public.${t}`));
  const tables = topLevelTables(schema).filter((t) => !wanted || wanted.includes(qualified(t)));
  const findings: ColumnFinding[] = [];
  const comments = new Map<string, string[]>();
  const byTable = new Map<string, ColumnFinding[]>();
  const sampledRows = new Map<string, number>();
  for (const [index, table] of tables.entries()) {
    options.onTable?.(qualified(table), index, tables.length);
    const samples = await sampleTable(db, table, size);
    sampledRows.set(qualified(table), samples.rows);
    const tableFindings = table.columns.map((column) => judge(table, column, samples.values.get(column.name) ?? []));
    byTable.set(qualified(table), tableFindings);
    findings.push(...tableFindings);
  }

  const isPersonal = (f: ColumnFinding) => f.suggestion !== undefined && f.suggestion.category !== 'not_personal';
  const personal = new Set([...byTable].filter(([, fs]) => fs.some(isPersonal)).map(([name]) => name));
  const links = (await readForeignKeys(db)).filter((l) => byTable.has(l.from) && byTable.has(l.to));
  const linked = linkedToSubjects(personal, links);
  const protectedTables = new Set([...personal, ...linked.keys()]);
  const tenant = options.tenantColumn === undefined
    ? evidentTenant(protectedTables, links, (name) => {
      // The planner's estimate where the table was analysed, else what the sample counted.
      const estimate = schema.get(name)?.estimatedRows ?? -1;
      return estimate >= 0 ? estimate : sampledRows.get(name) ?? Number.MAX_SAFE_INTEGER;
    })
    : undefined;
  const tenantColumn = options.tenantColumn ?? tenant?.column;

  const policyTables: Record<string, TablePolicy> = {};
  for (const table of tables) {
    const name = qualified(table);
    const tableFindings = byTable.get(name) ?? [];
    const columns: Record<string, ColumnPolicy> = {};
    for (const finding of tableFindings) {
      if (finding.suggestion) columns[finding.column] = finding.suggestion;
      comments.set(formatPath(['tables', tableKey(table), 'columns', finding.column]),
        [`${finding.kind.replaceAll('_', ' ')} (${finding.confidence}): ${finding.evidence.join('; ')}`]);
    }
    const protect = protectedTables.has(name);
    const ownTenant = tenant !== undefined && tenant.table === name ? tenant.key : undefined;
    const hasTenant = protect && tenantColumn !== undefined && table.columns.some((c) => c.name === tenantColumn);
    const tenantOf = ownTenant ?? (hasTenant ? tenantColumn : undefined);
    policyTables[tableKey(table)] = {
      ...(protect || ownTenant ? {} : { protect: false }),
      ...(tenantOf !== undefined ? { tenantColumn: tenantOf } : {}),
      columns,
    };
    const unrecognised = tableFindings.filter((f) => f.suggestion === undefined).map((f) => f.column);
    const personalCount = tableFindings.filter(isPersonal).length;
    const notes = [
      personalCount > 0 ? `${personalCount} personal columns proposed; add purpose, legalBasis and retention`
        : linked.has(name) ? `linked to ${linked.get(name)} by a foreign key, so its rows are personal data: proposed for protection`
        : ownTenant ? 'the tenant table: each tenant reads its own row'
        : 'nothing personal found: review before leaving it unprotected',
      ...(unrecognised.length > 0
        ? [`left unclassified (restricted roles read NULL until you classify them), review: ${unrecognised.join(', ')}`] : []),
      ...(tenant !== undefined && tenantOf !== undefined
        ? [`tenant ${tenantOf}: ${tenant.table} is referenced by ${tenant.tables} protected tables through ${tenant.column}; review`] : []),
    ];
    comments.set(formatPath(['tables', tableKey(table)]), notes);
  }
  return { policy: { tables: policyTables }, findings, comments };
}
