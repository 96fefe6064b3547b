import { DataSource, type EntityManager } from 'typeorm';
import { dialectOf } from './database';

/** A Date as a raw query parameter (the dialect's date). */
export function sqlDate(dataSource: DataSource, date: Date): Date | string {
  return dialectOf(dataSource).date(date);
}

/** A datetime read by a raw query: MySQL's driver gives a Date, SQLite its UTC text without a zone. */
export function readSqlDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
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
