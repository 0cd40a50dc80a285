/** What an erasure did to one table: one line per table, outcome and reason. Counts and column names only. */
export interface ErasureLine {
  /** `schema.table`, quoted as SQL quotes it. */
  relation: string;
  /**
   * `deleted` and `anonymized` rows are erased; `unchanged` rows had nothing personal to anonymize
   * (marked done, values as they were); `restricted` rows are kept, invisible to masked roles;
   * `kept` rows belong to other subjects too (`keptBy` `shared:<type>`) and stay for them.
   */
  outcome: 'deleted' | 'anonymized' | 'unchanged' | 'restricted' | 'kept';
  rows: number;
  /** Why restricted rows are kept: `minimum:<name>`, `hold:<reason>` or `referenced:<table>`. */
  keptBy: string | null;
  /** Their last day kept (`YYYY-MM-DD`); null when open-ended (a legal claim, a reference, an unknown date). */
  until: string | null;
  /** For `anonymized` and `unchanged` lines: the columns given anonymized values, in column order; else null. */
  changed: string[] | null;
  /**
   * For `anonymized` and `unchanged` lines: the personal columns left as they were, and why (a
   * constraint refused the anonymized value, no usable strategy, strategy `keep`, a foreign key,
   * the key); else null.
   */
  unchanged: ColumnLeft[] | null;
}

/** A column an erasure left as it was, and why (e.g. `check patient_personnummer_check refuses its anonymized value`). */
export interface ColumnLeft {
  column: string;
  why: string;
}

/** Rows newly restricted, or no longer restricted, in one table. */
export interface RestrictionLine {
  relation: string;
  rows: number;
}

/** How long a table's rows are kept, as the subject is told it (GDPR Art. 15(1)(d)). */
export interface ExportRetention {
  action: 'anonymize' | 'delete';
  /** The period, e.g. `3 years`. */
  keep: string;
  /** The column the period counts from. */
  after: string;
  time_zone: string;
  /** The rows the policy governs, when it has a filter. */
  applies_to?: Record<string, unknown>;
  minimum?: {
    name: string; law: string; description: string; after: string;
    /** Section as cited, and the version of the law it was read from (privacy.statutory_minimum). */
    citation?: string; version?: string;
    /** Where the period counts from (`end_of_calendar_year_of_fiscal_year` …), and how long it is. */
    counts_from?: string; period?: string;
  };
  /** One sentence, e.g. `deleted 1 year after issued_on, but kept at least as Bokföringslagen … requires (bookkeeping)`. */
  summary: string;
}

/** One table of a subject's export. */
export interface ExportTable {
  table: string;
  row_count: number;
  /** From the policy file when the export was given one (`withPurposes`); the catalog does not hold purposes. */
  purpose: string | null;
  legal_basis?: string[];
  retention: ExportRetention | null;
  /** How many of the rows are restricted (Art. 18). */
  restricted_rows: number;
  /** Each row kept back or restricted: its key, what keeps it (`minimum:bookkeeping`, `hold:debt` …), until when, and the law's citation for a minimum. */
  kept_rows: { key: string[]; kept_by: string; until: string | null; citation: string | null }[];
  /** The rows, with their raw values, as PostgreSQL's JSON renders them (timestamps in UTC). */
  rows: Record<string, unknown>[];
  /** Each column's category (`unclassified` when nobody classified it). */
  columns: Record<string, string>;
  /** The personal categories among them. */
  categories: string[];
}

/** Everything stored about one subject (`privacy.export_subject`): the answer to Art. 15, machine-readable for Art. 20. */
export interface SubjectExport {
  subject_type: string;
  subject_id: string;
  exported_at: string;
  tables: ExportTable[];
  /** Holds in force on the subject: why some data is kept longer. */
  holds: { reason: 'debt' | 'legal_claim' | 'custom'; until?: string; review_on?: string; placed_on: string }[];
}

/** A subject's request, as `privacy.subject_request` holds it. */
export interface SubjectRequest {
  id: string;
  kind: SubjectRequestKind;
  subjectType: string;
  subjectId: string;
  receivedOn: string;
  deadline: string;
  status: 'received' | 'in_progress' | 'done' | 'refused' | 'failed';
  attempts: number;
  /** Days past the deadline (negative: days left); only for open requests. */
  daysOverdue: number | null;
  outcome: Record<string, unknown> | null;
}

/** Kinds of requests: Art. 15 access, Art. 20 portability, Art. 17 erasure, Art. 18 restriction. */
export type SubjectRequestKind = 'access' | 'portability' | 'erasure' | 'restriction';

/** What processing a request returned (`privacy.process_subject_request`). */
export interface RequestOutcome {
  request: string;
  kind: SubjectRequestKind;
  status: 'done' | 'refused' | 'failed';
  /** Counts only: the erasure report, rows restricted, or rows exported per table. */
  outcome?: Record<string, unknown> | null;
  /** For access and portability requests: the export itself, to send to the subject. */
  export?: SubjectExport;
  /** Set when the request had been done or refused before: nothing was done now. */
  nothing_to_do?: boolean;
  /** For a failure: its SQLSTATE (messages are left out; they can quote values). */
  sqlstate?: string;
}

/** Turns the rows of `privacy.erase_subject` (and friends) into {@link ErasureLine}s. */
export function erasureLines(rows: {
  relation: string; outcome: string; row_count: string | number; kept_by?: string | null; until?: string | null;
  changed?: string[] | null; unchanged?: ColumnLeft[] | null;
}[]): ErasureLine[] {
  return rows.map((r) => ({
    relation: r.relation,
    outcome: r.outcome as ErasureLine['outcome'],
    rows: Number(r.row_count),
    keptBy: r.kept_by ?? null,
    until: r.until ?? null,
    changed: r.changed ?? null,
    unchanged: r.unchanged ?? null,
  }));
}
