import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource } from 'typeorm';

// Statements that change nothing: they may run while another's transaction is open.
const READ = /^\s*(SELECT|WITH|EXPLAIN|PRAGMA)\b/i;

/**
 * TypeORM's better-sqlite3 driver runs every statement on one connection and does not keep
 * transactions apart. A transaction begun while another is open became a savepoint of it (it
 * answered committed, and the other's rollback undid it); two begun at once failed one of them,
 * whose rollback then ended the other's transaction under it (its later statements autocommitted,
 * also after it failed); a plain write issued meanwhile joined the open transaction and was undone
 * with it. So on SQLite the database takes turns: one transaction at a time, in the order asked,
 * each holding the connection from its BEGIN to its end, and writes from outside it waiting for
 * that end. The transaction's own statements (its async context) run at once, and so does a
 * nested transaction, as the savepoint it is. Reads from outside still run at once: a transaction
 * may itself wait for a read another request began (a cache's pending look-up), and holding that
 * read back would hold both for ever.
 */
export function takeTurnsOnSqlite(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3') return;
  const inside = new AsyncLocalStorage<{ open: boolean }>();
  const inOpenTransaction = () => inside.getStore()?.open === true;
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = last.then(work);
    last = turn.catch(() => undefined);
    return turn;
  };

  // The driver's one query runner, which every caller shares.
  const runner = dataSource.createQueryRunner();
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) => {
    if (inOpenTransaction() || READ.test(sql)) return query(sql, ...rest);
    return inTurn(() => query(sql, ...rest));
  }) as typeof runner.query;

  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = ((...args: unknown[]) => {
    if (inOpenTransaction()) return transaction(...args);
    return inTurn(() => {
      const turn = { open: true };
      return inside.run(turn, () => transaction(...args)).finally(() => {
        turn.open = false;
      });
    });
  }) as typeof manager.transaction;
}
