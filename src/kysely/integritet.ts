import type { Kysely, Transaction } from 'kysely';
import { API_METHODS } from './api-methods.ts';
import type { Executor } from '../client/call-privacy.ts';
import { withTenant } from './with-tenant.ts';

type Methods = typeof API_METHODS;

/** The API methods with their `db` argument bound. */
export type BoundMethods = {
  [K in keyof Methods]: Methods[K] extends (db: Executor, ...args: infer A) => infer R ? (...args: A) => R : never;
};

/** The typed client returned by {@link createIntegritet}. */
export type Integritet<DB = any> = BoundMethods & {
  /** What the methods run on: the Kysely instance or transaction given. */
  readonly db: Kysely<DB>;
  /**
   * Runs `work` in a transaction whose tenant is `tenantId` (set by `privacy.set_tenant()`, transaction-local),
   * so that restricted roles see and change only that tenant's rows. Commits when `work` resolves.
   */
  withTenant<T>(tenantId: string | number | bigint, work: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /**
   * Runs `work` with a client bound to one transaction (the caller's, when this client was made
   * on one): several declarations then commit or roll back together.
   */
  transaction<T>(work: (client: Integritet<DB>) => Promise<T>): Promise<T>;
};

/**
 * A typed client for the toolkit's SQL API over an application's Kysely instance (or a
 * transaction, to declare or enqueue inside the caller's work). Thin by design: every method is
 * one call of a `privacy.*` function, which makes every privacy decision; errors come back as
 * the toolkit's error classes (`UnknownObjectError`, `InvalidDeclarationError`, …).
 *
 * @example
 * const integritet = createIntegritet(db);
 * await integritet.classifyColumn({ table: 'customer', column: 'email', category: 'contact', mask: 'email' });
 * const vehicles = await integritet.withTenant(42, (trx) => trx.selectFrom('vehicle').selectAll().execute());
 */
export function createIntegritet<DB>(db: Kysely<DB> | Transaction<DB>): Integritet<DB> {
  const executor = db as Executor;
  const bound = Object.fromEntries(
    Object.entries(API_METHODS).map(([name, method]) => [name, (input: never) => (method as (db: Executor, input: never) => unknown)(executor, input)]),
  ) as BoundMethods;
  return {
    ...bound,
    db,
    withTenant: (tenantId, work) => withTenant(db, tenantId, work),
    transaction: (work) =>
      db.isTransaction
        ? work(createIntegritet(db))
        : db.transaction().execute((trx) => work(createIntegritet(trx))),
  };
}
