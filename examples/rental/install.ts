/**
 * Loads the rental reference schema (schema.sql) and its invented data (seed.sql) into the
 * connected database, as a team would have it before anyone protected it.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const folder = fileURLToPath(new URL('.', import.meta.url));

/** Creates the rental tables, views and report function in schema public, in one transaction. */
export async function installRentalSchema(db: pg.ClientBase): Promise<void> {
  const schema = await readFile(`${folder}schema.sql`, 'utf8');
  await db.query('begin');
  try {
    await db.query(schema);
    await db.query('commit');
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}

/** Fills the rental tables with the same invented rows on every machine (seed.sql). */
export async function seedRental(db: pg.ClientBase): Promise<void> {
  await db.query(await readFile(`${folder}seed.sql`, 'utf8'));
}
