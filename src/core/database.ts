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
  });
}

export function isMysql(dataSource: DataSource): boolean {
  return dataSource.options.type === 'mysql';
}

/** True when the error is a unique-key violation, on either database. */
export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
