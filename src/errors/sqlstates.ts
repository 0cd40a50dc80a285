/**
 * The SQLSTATEs that the toolkit's SQL raises (class `PV`), with the error class each maps to.
 * The SQL side documents the same list at the top of `sql/010-names.sql`.
 */
export const SQLSTATES = {
  PV001: { name: 'unknown_table', kind: 'unknown-object' },
  PV002: { name: 'unknown_column', kind: 'unknown-object' },
  PV003: { name: 'unknown_strategy', kind: 'unknown-object' },
  PV004: { name: 'invalid_parameters', kind: 'invalid-declaration' },
  PV005: { name: 'invalid_retention', kind: 'invalid-declaration' },
  PV006: { name: 'unknown_category', kind: 'unknown-object' },
  PV007: { name: 'unknown_subject', kind: 'unknown-object' },
  PV008: { name: 'invalid_identifier', kind: 'invalid-declaration' },
  PV009: { name: 'ledger_append_only', kind: 'protected-record' },
  PV010: { name: 'not_protected', kind: 'invalid-declaration' },
  PV011: { name: 'invalid_argument', kind: 'invalid-declaration' },
  PV012: { name: 'unknown_hold', kind: 'unknown-object' },
  PV013: { name: 'not_allowed_on_object', kind: 'invalid-declaration' },
  PV014: { name: 'unknown_row', kind: 'unknown-object' },
  PV015: { name: 'object_in_use', kind: 'busy' },
  PV016: { name: 'invalid_tenant_path', kind: 'invalid-declaration' },
  // The strategy library (sql/180-strategy-call.sql, sql/185-custom-strategies.sql).
  PV101: { name: 'strategy_unsupported_type', kind: 'invalid-declaration' },
  PV102: { name: 'invalid_strategy_function', kind: 'invalid-declaration' },
  // Retention (sql/300…340): guards, sweeps, effective retention.
  PV301: { name: 'kept_by_law', kind: 'protected-record' },
  PV302: { name: 'anonymized_row', kind: 'protected-record' },
  PV303: { name: 'not_anonymizable', kind: 'invalid-declaration' },
  PV304: { name: 'no_row_key', kind: 'invalid-declaration' },
  PV305: { name: 'no_retention_policy', kind: 'unknown-object' },
  PV306: { name: 'unknown_row', kind: 'unknown-object' },
  PV307: { name: 'anonymize_refused_by_constraint', kind: 'invalid-declaration' },
  PV308: { name: 'partition_not_handed_over', kind: 'unknown-object' },
  // Data subjects' rights (sql/4xx): the subject graph, export, erasure, restriction, requests.
  PV401: { name: 'unknown_foreign_key', kind: 'unknown-object' },
  PV402: { name: 'ambiguous_foreign_key', kind: 'invalid-declaration' },
  PV403: { name: 'parent_not_linked', kind: 'invalid-declaration' },
  PV404: { name: 'subject_id_mismatch', kind: 'invalid-declaration' },
  PV405: { name: 'not_restrictable', kind: 'invalid-declaration' },
  PV406: { name: 'unknown_subject_request', kind: 'unknown-object' },
  PV407: { name: 'request_not_allowed', kind: 'access-denied' },
  PV408: { name: 'invalid_subject_request', kind: 'invalid-declaration' },
  PV409: { name: 'unchecked_subject_link', kind: 'invalid-declaration' },
  // Location strategies (sql/500…599): privacy zones, trip trimming, k-anonymity, heat maps.
  PV501: { name: 'invalid_location_argument', kind: 'invalid-declaration' },
  PV502: { name: 'unknown_location_column', kind: 'unknown-object' },
  PV503: { name: 'unknown_location_zone', kind: 'unknown-object' },
} as const satisfies Record<string, { name: string; kind: PrivacyErrorKind }>;

/** The few kinds of failure a caller needs to tell apart. */
export type PrivacyErrorKind =
  | 'unknown-object'
  | 'invalid-declaration'
  | 'protected-record'
  | 'access-denied'
  | 'busy';

/** One of the toolkit's own SQLSTATEs. */
export type PrivacySqlstate = keyof typeof SQLSTATES;

/** Whether a SQLSTATE is one the toolkit raises itself. */
export function isPrivacySqlstate(code: unknown): code is PrivacySqlstate {
  return typeof code === 'string' && Object.hasOwn(SQLSTATES, code);
}
