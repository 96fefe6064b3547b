import type { TestApp } from './app';

/** The SQL statements the server runs while `work` (one GraphQL request) is answered; observed through TypeORM's logger. */
export async function queriesDuring<T>(app: TestApp, work: () => Promise<T>): Promise<{ result: T; count: number; sql: string[] }> {
  const logger = app.server.services.dataSource.logger;
  const original = logger.logQuery;
  const sql: string[] = [];
  logger.logQuery = function (query, parameters, runner) {
    sql.push(query);
    return original.call(this, query, parameters, runner);
  };
  try {
    const result = await work();
    return { result, count: sql.length, sql };
  } finally {
    logger.logQuery = original;
  }
}
