import pg from 'pg';
import { toolkitSnapshot } from './schema-snapshot.ts';

/**
 * `toolkitSnapshot` of the database at `url`, normalised so that every supported PostgreSQL
 * version and every installing superuser print the same text for the same toolkit:
 * - NOT NULL constraints go: PostgreSQL 18 lists them in pg_constraint, 15 does not (each
 *   column's `notnull=` still says it);
 * - the MAINTAIN privilege (`m`, PostgreSQL 17 on, part of an owner's privileges) goes;
 * - the installing role (the schema's owner) is written `<owner>` in privileges.
 */
export async function installedSchemaText(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let owner: string;
  try {
    const { rows } = await client.query<{ owner: string }>(
      `select nspowner::regrole::text as owner from pg_namespace where nspname = 'privacy'`);
    owner = rows[0]!.owner;
  } finally {
    await client.end();
  }
  const escaped = owner.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `${(await toolkitSnapshot(url))
    .split('\n')
    .filter((line) => !/^constraint \S+ NOT NULL /.test(line))
    .map((line) => line
      .replace(/=([A-Za-z*]+)\//g, (_all, privileges: string) => `=${privileges.replaceAll('m', '')}/`)
      .replace(new RegExp(`([{,])${escaped}=`, 'g'), '$1<owner>=')
      .replace(new RegExp(`/${escaped}([,}])`, 'g'), '/<owner>$1'))
    .join('\n')}\n`;
}
