import type { DataSource } from 'typeorm';

/**
 * The SQL statements `dataSource` runs while `work` (e.g. one GraphQL request) runs, alone and
 * with their parameters (to run one again, under EXPLAIN); observed through TypeORM's logger.
 */
export async function queriesDuring<T>(dataSource: DataSource, work: () => Promise<T>): Promise<{ result: T; count: number; sql: string[]; statements: Array<{ sql: string; parameters: unknown[] }> }> {
  const logger = dataSource.logger;
  const original = logger.logQuery;
  const statements: Array<{ sql: string; parameters: unknown[] }> = [];
  logger.logQuery = function (query, parameters, runner) {
    statements.push({ sql: query, parameters: Array.isArray(parameters) ? parameters : [] });
    return original.call(this, query, parameters, runner);
  };
  try {
    const result = await work();
    const sql = statements.map((s) => s.sql);
    return { result, count: sql.length, sql, statements };
  } finally {
    logger.logQuery = original;
  }
}
