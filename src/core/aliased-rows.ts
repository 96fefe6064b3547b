import type { DataSource, ObjectLiteral } from 'typeorm';

/**
 * Rows of several tables read in one statement, each table under an alias: every column of the
 * entity selected as `alias_column`, and read back into an entity of its own. The inbound
 * look-up is built so (one round trip per reply), each table's part written by its own domain.
 */
export function aliasedColumns(dataSource: DataSource, entity: Function, alias: string): string {
  const q = (name: string) => dataSource.driver.escape(name);
  return dataSource.getMetadata(entity).columns.map((c) => `${alias}.${q(c.databaseName)} AS ${q(`${alias}_${c.databaseName}`)}`).join(', ');
}

/** The entity of `alias`'s columns in the row, or null when it has none (a LEFT JOIN that found no row). */
export function hydrateAliased<T extends ObjectLiteral>(dataSource: DataSource, entity: new () => T, alias: string, row: ObjectLiteral): T | null {
  const metadata = dataSource.getMetadata(entity);
  if (row[`${alias}_id`] === null || row[`${alias}_id`] === undefined) return null;
  const result = new entity();
  for (const column of metadata.columns) {
    column.setEntityValue(result, dataSource.driver.prepareHydratedValue(row[`${alias}_${column.databaseName}`], column));
  }
  return result;
}
