import { sql } from 'kysely';
import type { Executor } from '../client/call-privacy.ts';
import { qualified, type TableName } from './table-names.ts';

/** A column of a user table. */
export interface DatabaseColumn {
  name: string;
  /** As `format_type` writes it: `text`, `timestamp with time zone`, `numeric(12,2)`. */
  type: string;
  notNull: boolean;
}

/** A user table (ordinary or partitioned) with its columns in order. */
export interface DatabaseTable extends TableName {
  partitioned: boolean;
  /** The parent, `public.position`, when this table is a partition of another. */
  partitionOf: string | null;
  /** The planner's estimate; -1 when never analysed. */
  estimatedRows: number;
  columns: DatabaseColumn[];
}

/** The user tables of a database, by `schema.table`. */
export type DatabaseSchema = Map<string, DatabaseTable>;

/** Schemas that never hold user tables to classify: the system's, the toolkit's, pg-boss's. */
export const IGNORED_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast', 'privacy', 'masked', 'pgboss'];

/**
 * Reads the user tables and their columns from the system catalog: ordinary and partitioned
 * tables outside system and toolkit schemas, leaving out tables that belong to an extension.
 */
export async function readDatabaseSchema(db: Executor, options: { ignoreSchemas?: string[] } = {}): Promise<DatabaseSchema> {
  const ignored = [...IGNORED_SCHEMAS, ...(options.ignoreSchemas ?? [])];
  const { rows } = await sql<{
    schema: string; table: string; relkind: string; parent: string | null; estimated_rows: number;
    column: string; type: string; not_null: boolean;
  }>`
    select n.nspname as schema, c.relname as table, c.relkind::text as relkind,
           (select pn.nspname || '.' || p.relname
              from pg_catalog.pg_inherits i
              join pg_catalog.pg_class p on p.oid = i.inhparent
              join pg_catalog.pg_namespace pn on pn.oid = p.relnamespace
             where i.inhrelid = c.oid and c.relispartition) as parent,
           c.reltuples::float8 as estimated_rows,
           a.attname as column, pg_catalog.format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
     where c.relkind in ('r', 'p')
       and n.nspname <> all (${ignored}::text[])
       and n.nspname !~ '^pg_(temp|toast_temp)_'
       and not exists (select from pg_catalog.pg_depend d
                        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
     order by n.nspname, c.relname, a.attnum`.execute(db);
  const schema: DatabaseSchema = new Map();
  for (const row of rows) {
    const key = qualified(row);
    let table = schema.get(key);
    if (!table) {
      table = {
        schema: row.schema, table: row.table, partitioned: row.relkind === 'p', partitionOf: row.parent,
        estimatedRows: Number(row.estimated_rows), columns: [],
      };
      schema.set(key, table);
    }
    table.columns.push({ name: row.column, type: row.type, notNull: row.not_null });
  }
  return schema;
}

/** The tables a policy is about: those that are not partitions (a partition follows its parent). */
export function topLevelTables(schema: DatabaseSchema): DatabaseTable[] {
  return [...schema.values()].filter((t) => t.partitionOf === null);
}
