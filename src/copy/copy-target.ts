import type pg from 'pg';
import { InvalidDeclarationError, PrivacyError, toPrivacyError } from '../errors/privacy-error.ts';
import type { CopyStatement } from './copy-plan.ts';

// A copy under way leaves this schema in the target, and removes it as its very last step: a
// target that still has it holds an unfinished copy, never one that looks whole. A new copy into
// such a target starts it again from nothing.
const MARKER_SCHEMA = 'integritet_copy';

/** Objects of the user in a database: what makes a target "not empty". */
const USER_OBJECTS = `
  select count(*)::int as n from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname not in ('pg_catalog', 'information_schema', '${MARKER_SCHEMA}') and n.nspname !~ '^pg_(toast|temp)'
    and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')`;

/**
 * Makes the target ready for a copy: it must be empty, or hold an unfinished copy (which is
 * removed). Leaves the marker of a copy under way in it.
 */
export async function prepareTarget(target: pg.ClientBase, source: string): Promise<'empty' | 'restarted'> {
  const marker = await target.query('select pg_catalog.to_regclass($1) is not null as unfinished', [`${MARKER_SCHEMA}.unfinished`]);
  const unfinished = marker.rows[0]?.unfinished === true;
  if (!unfinished) {
    const { rows } = await target.query<{ n: number }>(USER_OBJECTS);
    if ((rows[0]?.n ?? 0) > 0) {
      throw new InvalidDeclarationError(
        `the target database is not empty (${rows[0]?.n} tables, views or sequences): copy into an empty database`,
        { code: 'TARGET_NOT_EMPTY', hint: 'create one with: createdb <name>' });
    }
  } else {
    await removeUnfinishedCopy(target);
  }
  await target.query(`create schema ${MARKER_SCHEMA};
    create table ${MARKER_SCHEMA}.unfinished (source text not null, started_at timestamptz not null default now());
    comment on schema ${MARKER_SCHEMA} is 'integritet copy: a copy is under way, or was interrupted; the next copy into this database starts again.'`);
  await target.query(`insert into ${MARKER_SCHEMA}.unfinished (source) values ($1)`, [source]);
  return unfinished ? 'restarted' : 'empty';
}

/** Drops everything an interrupted copy made: every schema but the system's, and public anew. */
async function removeUnfinishedCopy(target: pg.ClientBase): Promise<void> {
  const { rows } = await target.query<{ nspname: string }>(
    `select n.nspname from pg_catalog.pg_namespace n
     where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'`);
  for (const { nspname } of rows) await target.query(`drop schema ${target.escapeIdentifier(nspname)} cascade`);
  await target.query('create schema public');
}

/** Marks the copy finished: the very last step. */
export async function finishTarget(target: pg.ClientBase): Promise<void> {
  await target.query(`drop schema ${MARKER_SCHEMA} cascade`);
}

/**
 * Runs DDL statements in order. Views may depend on views made after them: a statement that
 * fails is tried again after the others, as long as each round makes progress; what still fails
 * then is reported with the object it makes.
 */
export async function runStatements(target: pg.ClientBase, statements: CopyStatement[], retry: boolean): Promise<void> {
  let pending = statements;
  for (;;) {
    const failed: { statement: CopyStatement; error: unknown }[] = [];
    for (const statement of pending) {
      await target.query('savepoint integritet_copy_ddl');
      try {
        await target.query(statement.statement);
        await target.query('release savepoint integritet_copy_ddl');
      } catch (error) {
        await target.query('rollback to savepoint integritet_copy_ddl');
        if (!retry) throw failure(statement, error);
        failed.push({ statement, error });
      }
    }
    if (failed.length === 0) return;
    if (failed.length === pending.length) throw failure(failed[0]!.statement, failed[0]!.error);
    pending = failed.map((f) => f.statement);
  }
}

function failure(statement: CopyStatement, error: unknown): PrivacyError {
  const cause = toPrivacyError(error);
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = cause instanceof PrivacyError ? cause.code : ((error as { code?: string }).code ?? 'COPY_FAILED');
  // A constraint the copied rows break: the anonymized (or NULLed) value of a column does not fit it.
  const hint = ['23502', '23505', '23514', '23P01'].includes(code)
    ? 'an anonymized value breaks this constraint: give the column an anonymize strategy that keeps it (integritet lint lists such columns)'
    : undefined;
  return new PrivacyError(`copy: cannot make ${statement.object} in the target: ${message}`, { code, object: statement.object, hint, cause: error });
}

/** Deletes rows whose foreign-key parent the copy left out, until no statement deletes one. */
export async function removeDangling(target: pg.ClientBase, deletes: CopyStatement[]): Promise<number> {
  let total = 0;
  for (;;) {
    let round = 0;
    for (const d of deletes) round += (await target.query(d.statement)).rowCount ?? 0;
    total += round;
    if (round === 0) return total;
  }
}
