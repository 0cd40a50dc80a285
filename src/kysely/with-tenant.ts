import { sql, type Kysely, type Transaction } from 'kysely';
import { toPrivacyError } from '../errors/privacy-error.ts';

/**
 * Runs `work` in a transaction whose tenant is `tenantId`, set by `privacy.set_tenant()`: for
 * that transaction only (a transaction-local setting, the only one row-level security reads), so
 * it never leaks to the next user of a pooled connection. Inside a transaction already, sets it
 * there (until that transaction ends).
 */
export async function withTenant<DB, T>(
  db: Kysely<DB>,
  tenantId: string | number | bigint,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const tenant = String(tenantId);
  const run = async (trx: Transaction<DB>) => {
    try {
      await sql`select privacy.set_tenant(${tenant}::text)`.execute(trx);
    } catch (error) {
      throw toPrivacyError(error);
    }
    return work(trx);
  };
  return db.isTransaction ? run(db as Transaction<DB>) : db.transaction().execute(run);
}
