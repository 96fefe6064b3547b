import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { MysqlDataSourceOptions } from 'typeorm/driver/mysql/MysqlDataSourceOptions';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/core/database';
import { entities } from '../src/entities';
import { migrations } from '../migrations';
import { databaseKinds, freshDatabase } from './helpers/databases';

const TABLES = ['accounts', 'api_keys', 'geo_permissions', 'blocked_prefixes', 'subscription_groups', 'senders', 'contacts', 'memberships', 'campaigns', 'messages', 'conversations'];

for (const kind of databaseKinds()) {
  describe(`migrations [${kind}]`, () => {
    it('run up on a fresh database, down to nothing, and up again', async () => {
      const database = await freshDatabase(kind);
      const dataSource = createDataSource(loadConfig({ DATABASE_URL: database.url, CARRIER_SIMULATOR: 'on' }).database, entities, migrations);
      await dataSource.initialize();
      const queryRunner = dataSource.createQueryRunner();
      try {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        expect(applied.map((m) => m.name)).toEqual(migrations.map((m) => new m().name));
        for (const table of TABLES) expect(await queryRunner.hasTable(table)).toBe(true);
        // Every entity maps onto the migrated tables: a query over each selects all its columns.
        for (const entity of entities) await dataSource.getRepository(entity).find({ take: 1 });

        for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
        for (const table of TABLES) expect(await queryRunner.hasTable(table)).toBe(false);

        expect((await dataSource.runMigrations({ transaction: 'each' })).length).toBe(migrations.length);
        expect(await dataSource.runMigrations({ transaction: 'each' })).toEqual([]);
      } finally {
        await queryRunner.release();
        await dataSource.destroy();
        await database.drop();
      }
    });

    it('leave nothing for the entities to change: an empty schema diff', async () => {
      const database = await freshDatabase(kind);
      let dataSource = createDataSource(loadConfig({ DATABASE_URL: database.url, CARRIER_SIMULATOR: 'on' }).database, entities, migrations);
      await dataSource.initialize();
      try {
        await dataSource.runMigrations({ transaction: 'each' });
        const [{ version }] = await dataSource.query(kind === 'sqlite' ? 'SELECT sqlite_version() AS version' : 'SELECT VERSION() AS version');
        if (/mariadb/i.test(version)) {
          // TypeORM reads MariaDB's catalog (a nullable column's default shows as 'NULL') right only
          // through its mariadb driver; the app's mysql driver never syncs, so compare through that one.
          await dataSource.destroy();
          dataSource = new DataSource({ ...(dataSource.options as MysqlDataSourceOptions), type: 'mariadb' });
          await dataSource.initialize();
        }
        const diff = await dataSource.driver.createSchemaBuilder().log();
        expect(diff.upQueries.map((q) => q.query)).toEqual([]);
      } finally {
        await dataSource.destroy();
        await database.drop();
      }
    });
  });
}
