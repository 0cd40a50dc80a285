import type { Kysely } from 'kysely';
import { openKysely } from './open-kysely.ts';

/** Runs `work` with a Kysely instance on `url`, closed afterwards. */
export async function withDatabase<T>(url: string, work: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const db = openKysely(url, { max: 2 });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}
