import { SQLSTATES, isPrivacySqlstate, type PrivacyErrorKind } from './sqlstates.ts';

/** Fields PostgreSQL sets on an error, as `pg` exposes them. */
interface DatabaseErrorFields {
  code?: string;
  message?: string;
  schema?: string;
  table?: string;
  column?: string;
  hint?: string;
}

/**
 * Base class of the toolkit's errors: `code` is the SQLSTATE (or a toolkit code such as
 * `MIGRATION_FAILED`), `object` names what the error is about, `cause` keeps the original error.
 */
export class PrivacyError extends Error {
  /** A SQLSTATE such as `PV002`, or a toolkit code such as `MIGRATION_FAILED`. */
  readonly code: string;
  /** The offending object, e.g. `public.customer.email`, when known. */
  readonly object: string | undefined;
  /** The database's hint, when it gave one. */
  readonly hint: string | undefined;

  constructor(message: string, options: { code: string; object?: string; hint?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.object = options.object;
    this.hint = options.hint;
  }
}

/** A table, column, strategy, category, subject or hold that does not exist. */
export class UnknownObjectError extends PrivacyError {}

/** A declaration the toolkit refuses: bad parameters, interval, identifier or argument. */
export class InvalidDeclarationError extends PrivacyError {}

/** A record the law or the ledger keeps: it cannot be changed or removed this way. */
export class ProtectedRecordError extends PrivacyError {}

/** The role may not do this. */
export class AccessDeniedError extends PrivacyError {}

/** An object the toolkit must change is locked by another transaction (PV015); trying again later can succeed. */
export class ObjectInUseError extends PrivacyError {}

/** Installing, upgrading or uninstalling the toolkit's schema failed. */
export class MigrationError extends PrivacyError {}

/** No PostgreSQL could be provided or reached. */
export class ProvisioningError extends PrivacyError {}

/** The database could not be reached, or the connection was lost (restart, failover, timeout). */
export class ConnectionLostError extends PrivacyError {}

/** A command or worker was stopped (SIGTERM, SIGINT) before it could finish. */
export class StoppedError extends PrivacyError {}

const CLASS_OF_KIND: Record<PrivacyErrorKind, typeof PrivacyError> = {
  'unknown-object': UnknownObjectError,
  'invalid-declaration': InvalidDeclarationError,
  'protected-record': ProtectedRecordError,
  'access-denied': AccessDeniedError,
  busy: ObjectInUseError,
};

/**
 * Turns an error from the database into one of the toolkit's error classes when it carries one
 * of the toolkit's SQLSTATEs (or insufficient_privilege); anything else is returned unchanged.
 */
export function toPrivacyError(error: unknown): unknown {
  if (error instanceof PrivacyError || typeof error !== 'object' || error === null) return error;
  const fields = error as DatabaseErrorFields;
  const object = [fields.schema, fields.table, fields.column].filter(Boolean).join('.') || undefined;
  const message = fields.message ?? String(error);
  if (isPrivacySqlstate(fields.code)) {
    const ErrorClass = CLASS_OF_KIND[SQLSTATES[fields.code].kind];
    return new ErrorClass(message, { code: fields.code, object, hint: fields.hint, cause: error });
  }
  if (fields.code === '42501') {
    return new AccessDeniedError(message, { code: fields.code, object, hint: fields.hint, cause: error });
  }
  return error;
}
