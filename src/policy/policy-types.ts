import type { KnownCategory } from '../kysely/api/classify-column.ts';
import type { KnownStatutoryMinimum } from '../kysely/api/set-retention.ts';
import type { RetentionFilterValue } from '../kysely/api/set-retention-options.ts';
import type { AnonymizeChoice, MaskChoice } from '../kysely/strategy-params.ts';
import type { WriteChoice } from '../kysely/write-rule-params.ts';

/** The lawful bases of GDPR Art. 6(1) (a)–(f), for the record of processing. */
export const LEGAL_BASES = [
  'consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests',
] as const;

/** A lawful basis of GDPR Art. 6(1). */
export type LegalBasis = (typeof LEGAL_BASES)[number];

/**
 * How one column is classified: its category, how restricted roles read it (`mask`), how
 * retention anonymizes it (`anonymize`) and how it is minimised before it is stored (`write`,
 * e.g. `truncate_ip`). Parameters are typed by the strategy and written in camelCase
 * (`keepFirst`); SQL stores them in snake_case (`keep_first`).
 */
export type ColumnPolicy = { category: KnownCategory | (string & {}) } & MaskChoice & AnonymizeChoice & WriteChoice;

/** How long a table's rows are kept, and what happens after. */
export interface RetentionPolicyInput {
  /** A date or timestamp column the keep period runs from. */
  anchor: string;
  /** A positive PostgreSQL interval: `'90 days'`, `'1 year'`. */
  keep: string;
  action: 'anonymize' | 'delete';
  /** A statutory minimum (e.g. `bookkeeping`) that keeps rows longer whatever `keep` says. */
  minimum?: KnownStatutoryMinimum | (string & {});
  /** The date column the minimum runs from; required with `minimum`. */
  minimumAnchor?: string;
  /** Five-field cron expression of the sweep; default `0 3 * * *`. */
  schedule?: string;
  /** Time zone of the schedule; default `UTC`. */
  timeZone?: string;
  /** Only rows matching this: column → value or values (`{ status: ['paid', 'written_off'] }`). Default: all rows. */
  filter?: Record<string, RetentionFilterValue>;
  /** What happens to a partition whose every row has expired; default `drop`. */
  expiredPartitions?: 'drop' | 'detach' | 'rows';
}

/** A tenant reached through foreign keys: the column of each hop, and the tenant column at the end. */
export interface TenantPath {
  /** The foreign-key column of the table (one hop), or of each table on the way (several). */
  via: string | string[];
  /** The tenant column of the table the last hop reaches. */
  column: string;
}

/** One table of the policy, keyed by `table` (schema public) or `schema.table`. */
export interface TablePolicy {
  /** Whether restricted roles read it masked and tenant-isolated. Default: true. */
  protect?: boolean;
  /** The column holding each row's tenant (the tenant table's own key for the tenant table). */
  tenantColumn?: string;
  /**
   * A tenant the table reaches through foreign keys, `{ via: 'customer_id', column: 'store_id' }`
   * (`via`: the foreign-key column, or one per hop: `['rental_id', 'customer_id']`; `column`: the
   * tenant column of the last table), or `'shared'`: no tenant on purpose, every tenant reads
   * its rows (reference data). Instead of `tenantColumn`.
   */
  tenant?: TenantPath | 'shared';
  /** Why the data is processed (Art. 30 record; stays in the file, not in the database). */
  purpose?: string;
  /** The lawful basis or bases (Art. 30 record; stays in the file). */
  legalBasis?: LegalBasis | LegalBasis[];
  /** Every column, classified; a column left out counts as personal (and `lint` reports it). */
  columns: Record<string, ColumnPolicy>;
  retention?: RetentionPolicyInput;
}

/** A kind of data subject: where its subjects live and the columns elsewhere that refer to one. */
export interface SubjectPolicy {
  /** The table where subjects of this type live: `table` or `schema.table`. */
  table: string;
  /** Its key column (linked to the subject type without listing it). */
  key: string;
  /**
   * Columns whose value identifies a subject of this type: `'table.column'` or `'schema.table.column'`,
   * backed by a foreign key to the subject's key; `{ column, unchecked: true }` for one no foreign key backs.
   */
  links?: SubjectLinkPolicy[];
  /**
   * Tables whose rows belong to a subject through a foreign key to or from a linked table:
   * `{ table: 'film_review', through: 'rental' }`, `{ table: 'address', through: 'customer' }`
   * (customer.address_id → address). In order: a path's `through` table is linked before it.
   */
  paths?: SubjectPathPolicy[];
  description?: string;
}

/** A column link of a subject type: `'table.column'`, or with `unchecked: true` when no foreign key backs it. */
export type SubjectLinkPolicy = string | { column: string; unchecked?: boolean };

/** A path link (privacy.link_subject_through): `foreignKey` names the constraint when there are several. */
export interface SubjectPathPolicy {
  table: string;
  through: string;
  foreignKey?: string;
}

/** Who is responsible for the processing (Art. 30(1)(a)); used by the report only. */
export interface Controller {
  name: string;
  contact?: string;
  dataProtectionOfficer?: string;
}

/** A privacy policy: what is personal, how it is read and kept, and whose it is. */
export interface Policy {
  controller?: Controller;
  tables: Record<string, TablePolicy>;
  subjects?: Record<string, SubjectPolicy>;
}
