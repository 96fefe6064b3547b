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
 *
 * save() and remove() begin a transaction of their own on the shared connection whenever none is
 * open, and end it with later statements, out of turn: one begun as another transaction was ending
 * failed with TransactionNotStartedError and left the connection inside a transaction that never
 * ended, so nothing written after it reached the file. Outside a transaction they take a turn too.
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

  for (const method of ['save', 'remove', 'softRemove', 'recover'] as const) {
    const persist = manager[method].bind(manager) as (...args: unknown[]) => Promise<unknown>;
    (manager as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      if (inOpenTransaction()) return persist(...args);
      return manager.transaction((inTurn) => (inTurn[method] as (...a: unknown[]) => Promise<unknown>)(...args));
    };
  }
}
