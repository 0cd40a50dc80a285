import pg from 'pg';

/** SQLSTATE 55006: the template still has a session (e.g. another worker's clone just started). */
const OBJECT_IN_USE = '55006';

/**
 * Creates database `name`, from `template` when given. Cloning fails while anybody is connected
 * to the template, so that error is retried for a few seconds before it is reported.
 */
export async function createDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client(serverUrl);
  await client.connect();
  try {
    const sql = `create database ${client.escapeIdentifier(name)}${template ? ` template ${client.escapeIdentifier(template)}` : ''}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(sql);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    await client.end();
  }
}

/** Drops database `name` if it exists, ending its sessions (PostgreSQL 13+ `with (force)`). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client(serverUrl);
  await client.connect();
  try {
    await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}
