import pg from 'pg';

/** Runs SQL (one or more statements) on a connection of its own; the rows of the last. */
export async function query<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(sql);
    return (Array.isArray(result) ? result.at(-1)! : result).rows as T[];
  } finally {
    await client.end();
  }
}

/** The first column of the first row. */
export async function value<T>(url: string, sql: string): Promise<T> {
  return Object.values((await query(url, sql))[0] ?? {})[0] as T;
}

/**
 * A user's schema with everything the toolkit generates on it: a protected table with masked
 * columns (a text mask and a time mask), a retention policy (guard triggers, an anchor index),
 * a subject type, a restriction, an erasure, a hold and an open request. Run as `url`'s role.
 */
export async function useTheToolkit(url: string): Promise<void> {
  await query(url, `
    create table public.member (id bigint primary key, tenant int not null, name text, joined_at timestamptz not null);
    insert into public.member select g, 1, 'Member ' || g, now() - g * interval '1 day' from generate_series(1, 6) g;`);
  await declareMembers(url);
  await query(url, `
    select * from privacy.restrict_subject('member', '1', 'disputed accuracy');
    select privacy.place_hold('member', '3', 'legal_claim', review_on => current_date + 30);
    select * from privacy.erase_subject('member', '2', 'asked to be forgotten');
    select privacy.receive_subject_request('access', 'member', '4');`);
}

/** The declarations of public.member (what `apply` of a policy file would make). */
export async function declareMembers(url: string): Promise<void> {
  await query(url, `
    select privacy.classify_column('member', 'id', 'not_personal');
    select privacy.classify_column('member', 'tenant', 'not_personal');
    select privacy.classify_column('member', 'name', 'identifier', mask => 'redact');
    select privacy.classify_column('member', 'joined_at', 'personal', mask => 'time', mask_params => '{"unit": "day"}');
    select privacy.protect_table('member', tenant_column => 'tenant');
    select privacy.set_retention('member', 'joined_at', '5 years', 'delete');
    select privacy.declare_subject_type('member', 'member', 'id');`);
}
