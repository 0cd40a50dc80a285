import type pg from 'pg';
import { waitForMigrationLock } from './migration-lock.ts';

/** What the migrator recorded of one object it installed. */
export interface RecordedObject {
  hash: string;
  /** The definition files that made or changed it; empty when not known (installed by the SQL script). */
  sources: string[];
}

/** An installed object that is not as recorded. */
export interface ObjectDamage {
  identity: string;
  problem: 'missing' | 'differs';
  sources: string[];
}

/**
 * The record of installed objects, or undefined where the toolkit predates it (migration 0010)
 * or the role may not read it.
 */
export async function readManifest(client: pg.ClientBase): Promise<Map<string, RecordedObject> | undefined> {
  const exists = await client.query<{ e: boolean }>(
    `select coalesce(has_table_privilege(to_regclass('privacy.toolkit_object'), 'select'), false) as e`);
  if (!exists.rows[0]?.e) return undefined;
  const { rows } = await client.query<{ identity: string; hash: string; sources: string[] }>(
    'select identity, hash, sources from privacy.toolkit_object');
  return new Map(rows.map((r) => [r.identity, { hash: r.hash, sources: r.sources }]));
}

/** The recorded objects that are missing now, or whose definition differs from the one recorded. */
export function findDamage(manifest: Map<string, RecordedObject>, installed: Map<string, string>): ObjectDamage[] {
  const damage: ObjectDamage[] = [];
  for (const [identity, recorded] of manifest) {
    const hash = installed.get(identity);
    if (hash === recorded.hash) continue;
    damage.push({ identity, problem: hash === undefined ? 'missing' : 'differs', sources: recorded.sources });
  }
  return damage.sort((a, b) => a.identity.localeCompare(b.identity));
}

/**
 * Records `installed` as what the definitions make: each object with the files that made or
 * changed it, those seen now (`madeBy`) added to those recorded before.
 */
export async function recordManifest(client: pg.ClientBase, installed: Map<string, string>,
                                     madeBy: Map<string, Set<string>>, before: Map<string, RecordedObject>): Promise<void> {
  const identities = [...installed.keys()];
  const sources = identities.map((id) => [...new Set([...(before.get(id)?.sources ?? []), ...(madeBy.get(id) ?? [])])].sort());
  await client.query('begin');
  try {
    // Two runs at once both record at their end: one after the other, or the second's insert
    // would meet the rows the first inserted after the second's delete had looked.
    await waitForMigrationLock(client);
    await client.query('delete from privacy.toolkit_object');
    await client.query(
      `insert into privacy.toolkit_object (identity, hash, sources)
       select o.identity, o.hash, array(select jsonb_array_elements_text(o.sources))
       from jsonb_to_recordset($1::jsonb) as o(identity text, hash text, sources jsonb)`,
      [JSON.stringify(identities.map((id, i) => ({ identity: id, hash: installed.get(id), sources: sources[i] })))]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
