/** A table by schema and name, exactly as in the system catalog. */
export interface TableName {
  schema: string;
  table: string;
}

/** `customer` → public.customer; `billing.invoice` → billing.invoice (names as in the catalog). */
export function parseTableKey(key: string): TableName {
  const dot = key.indexOf('.');
  return dot < 0 ? { schema: 'public', table: key } : { schema: key.slice(0, dot), table: key.slice(dot + 1) };
}

/** `invoice.customer_id` or `billing.invoice.customer_id` → the table and column. */
export function parseColumnRef(ref: string): TableName & { column: string } {
  const parts = ref.split('.');
  const column = parts.pop() ?? '';
  return { ...parseTableKey(parts.join('.')), column };
}

/** How the policy file keys a table: bare in schema public, `schema.table` elsewhere. */
export function tableKey(name: TableName): string {
  return name.schema === 'public' ? name.table : `${name.schema}.${name.table}`;
}

/** `public.customer`: the key of a table in maps and messages. */
export function qualified(name: TableName): string {
  return `${name.schema}.${name.table}`;
}

/** A double-quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"public"."customer"`: the table name the SQL API parses back to exactly these names. */
export function sqlTableName(name: TableName): string {
  return `${quoteIdentifier(name.schema)}.${quoteIdentifier(name.table)}`;
}
