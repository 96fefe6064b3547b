import type { DataSource } from 'typeorm';

/** The SQL statements `dataSource` runs while `work` (e.g. one GraphQL request) runs; observed through TypeORM's logger. */
export async function queriesDuring<T>(dataSource: DataSource, work: () => Promise<T>): Promise<{ result: T; count: number; sql: string[] }> {
  const logger = dataSource.logger;
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
