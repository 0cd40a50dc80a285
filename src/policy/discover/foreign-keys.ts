import { sql } from 'kysely';
import type { Executor } from '../../client/call-privacy.ts';

/**
 * A single-column foreign key, with a partition's key counted as its parent's: dumps of old
 * releases put foreign keys on some partitions only, and the table a policy names is the parent.
 */
export interface ForeignKeyLink {
  /** `public.rental`: the referencing table (the partitioned parent for a partition's key). */
  from: string;
  column: string;
  /** `public.customer`: the referenced table. */
  to: string;
  /** Its referenced column, e.g. `customer_id`. */
  toColumn: string;
}

/** The single-column foreign keys between user tables (multi-column keys say too little to guess from). */
export async function readForeignKeys(db: Executor): Promise<ForeignKeyLink[]> {
  const { rows } = await sql<ForeignKeyLink>`
    with recursive top(relid, top_relid) as (
      select c.oid, c.oid from pg_catalog.pg_class c where c.relkind in ('r', 'p') and not c.relispartition
      union all
      select i.inhrelid, top.top_relid from top join pg_catalog.pg_inherits i on i.inhparent = top.relid
    )
    select distinct fn.nspname || '.' || f.relname as "from", fa.attname as "column",
           tn.nspname || '.' || t.relname as "to", ta.attname as "toColumn"
      from pg_catalog.pg_constraint k
      join top on top.relid = k.conrelid
      join pg_catalog.pg_class f on f.oid = top.top_relid
      join pg_catalog.pg_namespace fn on fn.oid = f.relnamespace
      join pg_catalog.pg_attribute fa on fa.attrelid = k.conrelid and fa.attnum = k.conkey[1]
      join pg_catalog.pg_class t on t.oid = k.confrelid
      join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
      join pg_catalog.pg_attribute ta on ta.attrelid = k.confrelid and ta.attnum = k.confkey[1]
     where k.contype = 'f' and pg_catalog.cardinality(k.conkey) = 1
     order by 1, 2`.execute(db);
  return rows;
}
