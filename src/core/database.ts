import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DefaultNamingStrategy, type NamingStrategyInterface } from 'typeorm';
import type { DatabaseConfig } from '../config';


/** Columns are snake_case in the database and camelCase in the code. */
export class SnakeNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override columnName(propertyName: string, customName: string | undefined, prefixes: string[]): string {
    const name = customName ?? propertyName;
    return [...prefixes, name].map(snake).join('_');
  }

  override joinColumnName(relationName: string, referencedColumnName: string): string {
    return snake(`${relationName}_${referencedColumnName}`);
  }
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function createDataSource(config: DatabaseConfig, entities: Function[], migrations: Function[]): DataSource {
  const common = { entities, migrations, namingStrategy: new SnakeNamingStrategy(), logging: false as const };
  if (config.type === 'sqlite') {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    return new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: config.path,
      enableWAL: true,
      // Writers wait for each other instead of failing with SQLITE_BUSY.
      timeout: 10_000,
    });
  }
  return new DataSource({
    ...common,
    type: 'mysql',
    url: config.url,
    // Storage is always UTC.
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    poolSize: 20,
    // mysql2 captures a stack trace for every query by default, to name the caller on errors: a
    // tenth of the send queue's database time. Errors keep their message and code.
    trace: false,
  });
}

export function isMysql(dataSource: DataSource): boolean {
  return dataSource.options.type === 'mysql';
}

/**
 * Every difference between the two databases that raw SQL meets, in one place: repositories ask
 * it instead of branching on the driver.
 */
export interface Dialect {
  readonly name: 'mysql' | 'sqlite';
  /** A Date as a raw query parameter: SQLite stores datetimes as UTC text, MySQL takes the Date. */
  date(value: Date): Date | string;
  /** The larger of two values: GREATEST on MySQL, the two-argument MAX on SQLite. */
  readonly greatest: string;
  /** The start of an INSERT that skips rows hitting a unique key. */
  readonly insertIgnore: string;
  /** The tail of a multi-row INSERT that overwrites `update` where a row hits the unique key of `keys` (escaped names). */
  upsert(keys: string[], update: string[]): string;
  /** Rows per multi-row INSERT of `columns` columns, within the bound parameters a statement allows. */
  rowsPerInsert(columns: number): number;
  /** The ids a multi-row INSERT of `count` rows gave its rows, in order, from the driver's answer. */
  insertedIds(raw: unknown, count: number): number[];
  /** Written after a table's alias: read it through `index` only, where the planner cannot see which index is better. */
  throughIndex(index: string): string;
}

const dialects = new WeakMap<DataSource, Dialect>();

/** The dialect of an open database; loadDialect has read the server's settings it depends on. */
export function dialectOf(dataSource: DataSource): Dialect {
  let dialect = dialects.get(dataSource);
  if (!dialect) dialects.set(dataSource, (dialect = makeDialect(dataSource, 1)));
  return dialect;
}

/**
 * Reads what the dialect needs from the server: MySQL gives the rows of one multi-row INSERT
 * ids auto_increment_increment apart (1, or more in multi-primary set-ups).
 */
export async function loadDialect(dataSource: DataSource): Promise<Dialect> {
  let step = 1;
  if (isMysql(dataSource)) {
    const [row] = await dataSource.query('SELECT @@auto_increment_increment AS step');
    step = Number(row?.step ?? 1) || 1;
  }
  const dialect = makeDialect(dataSource, step);
  dialects.set(dataSource, dialect);
  return dialect;
}

function makeDialect(dataSource: DataSource, idStep: number): Dialect {
  const ids = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i * idStep);
  if (isMysql(dataSource)) {
    return {
      name: 'mysql',
      date: (value) => value,
      greatest: 'GREATEST',
      insertIgnore: 'INSERT IGNORE',
      // VALUES() is deprecated from MySQL 8.0.20 but is what MariaDB understands.
      upsert: (_keys, update) => ` ON DUPLICATE KEY UPDATE ${update.map((c) => `${c} = VALUES(${c})`).join(', ')}`,
      rowsPerInsert: (columns) => Math.floor(65_535 / columns),
      // InnoDB gives one simple INSERT consecutive values (auto_increment_increment apart) and reports the first.
      insertedIds: (raw, count) => ids(Number((raw as { insertId: number }).insertId), count),
      throughIndex: (index) => `FORCE INDEX (${index})`,
    };
  }
  return {
    name: 'sqlite',
    date: (value) => value.toISOString().replace('T', ' ').replace('Z', ''),
    greatest: 'MAX',
    insertIgnore: 'INSERT OR IGNORE',
    upsert: (keys, update) => ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${update.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    rowsPerInsert: (columns) => Math.floor(32_766 / columns),
    // One connection writes, so one statement's rows take the rowids after the last; the driver reports the last.
    insertedIds: (raw, count) => ids(Number(raw) - count + 1, count),
    throughIndex: (index) => `INDEXED BY ${index}`,
  };
}

/** The driver's error code, also through TypeORM's QueryFailedError. */
function driverCode(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}

/** A transaction the database gave up to break a lock cycle (or SQLite found busy): worth running again. */
export function isDeadlockError(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'ER_LOCK_DEADLOCK' || code === 'SQLITE_BUSY';
}

/** True when the error is a unique-key violation, on either database. */
export function isDuplicateKeyError(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
