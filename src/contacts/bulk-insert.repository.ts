import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { dialectOf } from '../core/database';
import { placeholders } from '../core/sql';

/**
 * Multi-row INSERT statements written directly: TypeORM's builder spends time quadratic in the
 * number of parameters, which a 1,000-row chunk of a 10,000-row import feels. Values still go
 * through the driver's own conversion (dates, simple-json), so both databases store the same.
 */
export interface BulkInsert<T> {
  rows: Array<Partial<T>>;
  /** Entity properties to write, in order. */
  properties: Array<keyof T & string>;
  /** On a unique-key conflict: overwrite these properties (upsert), skip the row, or fail the statement. */
  onConflict: { update: Array<keyof T & string>; keys: Array<keyof T & string> } | 'ignore' | 'fail';
}

export async function bulkInsert<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, insert: BulkInsert<T>): Promise<void> {
  if (!insert.rows.length) return;
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  const columns = insert.properties.map((p) => metadata.findColumnWithPropertyName(p)!);
  const name = (p: string) => driver.escape(metadata.findColumnWithPropertyName(p)!.databaseName);
  const dialect = dialectOf(manager.connection);
  const params: unknown[] = [];
  const tuple = `(${placeholders(columns.length)})`;
  for (const row of insert.rows) {
    for (const column of columns) params.push(driver.preparePersistentValue(row[column.propertyName as keyof T], column));
  }
  const { onConflict } = insert;
  const head = `${onConflict === 'ignore' ? dialect.insertIgnore : 'INSERT'} INTO ${driver.escape(metadata.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
  const tail = onConflict === 'ignore' || onConflict === 'fail' ? '' : dialect.upsert(onConflict.keys.map(name), onConflict.update.map(name));
  await manager.query(head + insert.rows.map(() => tuple).join(', ') + tail, params);
}
