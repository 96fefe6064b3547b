import 'reflect-metadata';
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
  });
}
