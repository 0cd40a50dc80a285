import type pg from 'pg';
import { toPrivacyError } from '../errors/privacy-error.ts';

/** One table a copy moves: the COPY column list and the SELECT of its anonymized, lawful rows. */
export interface CopyTable {
  /** `schema.table`, quoted where SQL needs it. */
  name: string;
  protected: boolean;
  estimatedRows: number;
  /** `a, b, c`: the columns the SELECT yields, in order (generated columns are left out). */
  columns: string;
  select: string;
}

/** One DDL statement, with the object it makes (for error messages). */
export interface CopyStatement {
  object: string;
  statement: string;
}

/** Everything a copy reads from the source, in its snapshot, before any row moves. */
export interface CopyPlan {
  tables: CopyTable[];
  /** Schemas, types, sequences, functions, tables, views: run before the rows. */
  pre: CopyStatement[];
  /** Constraints, indexes, triggers, sequence ownership, materialized views: run after them. */
  post: CopyStatement[];
  /** Deletes of rows whose foreign-key parent was left out; run until none deletes a row. */
  dangling: CopyStatement[];
  /** `select pg_catalog.setval(…)` for every sequence, so the copy continues past its ids. */
  sequences: string[];
}

/** A subset of one table: a WHERE clause or a stable percentage of its rows. */
export type Subset = { where: string } | { percent: number };

/**
 * Reads the copy's plan from the source through privacy.copy_* (sql/700, sql/710), on a client
 * that is inside the copy's snapshot. `subsets` maps a qualified table name to its subset.
 */
export async function readCopyPlan(source: pg.ClientBase, subsets: Record<string, Subset>, asOf: Date): Promise<CopyPlan> {
  try {
    const tables = await source.query<{ name: string; protected: boolean; estimated_rows: string; columns: string; select_sql: string }>(
      `select pg_catalog.format('%I.%I', t.schema_name, t.table_name) as name, t.protected, t.estimated_rows,
              s.columns, s.select_sql
       from privacy.copy_tables() t
       cross join lateral privacy.copy_select_sql(t.schema_name, t.table_name, $1::jsonb, $2) s
       order by t.estimated_rows desc, 1`,
      [JSON.stringify(subsets), asOf],
    );
    const pre = await source.query<CopyStatement>('select object, statement from privacy.copy_schema_pre_ddl() order by ord');
    const post = await source.query<CopyStatement>('select object, statement from privacy.copy_schema_post_ddl() order by ord');
    const dangling = await source.query<CopyStatement>(
      'select constraint_name as object, statement from privacy.copy_dangling_deletes()');
    const sequences = await source.query<{ statement: string }>(
      `select pg_catalog.format('select pg_catalog.setval(%L, %s, %L::boolean)', sequence_name, last_value, is_called) as statement
       from privacy.copy_sequence_values()`);
    return {
      tables: tables.rows.map((t) => ({
        name: t.name, protected: t.protected, estimatedRows: Number(t.estimated_rows), columns: t.columns, select: t.select_sql,
      })),
      pre: pre.rows,
      post: post.rows,
      dangling: dangling.rows,
      sequences: sequences.rows.map((r) => r.statement),
    };
  } catch (error) {
    throw toPrivacyError(error);
  }
}
