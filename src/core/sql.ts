import { DataSource, type EntityManager } from 'typeorm';
import { isMysql } from './database';

/** A Date as a raw query parameter: SQLite stores datetimes as UTC text, MySQL takes the Date. */
export function sqlDate(dataSource: DataSource, date: Date): Date | string {
  return isMysql(dataSource) ? date : date.toISOString().replace('T', ' ').replace('Z', '');
}

/** `?, ?, ?` for n values. */
export function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** Rows changed by a raw UPDATE, on either driver (inside the manager's transaction when it has one). */
export async function execute(runner: DataSource | EntityManager, sql: string, params: unknown[]): Promise<number> {
  const manager = runner instanceof DataSource ? runner.manager : runner;
  if (manager.queryRunner) return (await manager.queryRunner.query(sql, params, true)).affected ?? 0;
  const queryRunner = manager.connection.createQueryRunner();
  try {
    return (await queryRunner.query(sql, params, true)).affected ?? 0;
  } finally {
    await queryRunner.release();
  }
}
