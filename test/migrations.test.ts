import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { MysqlDataSourceOptions } from 'typeorm/driver/mysql/MysqlDataSourceOptions';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/core/database';
import { entities } from '../src/entities';
import { migrations } from '../migrations';
import { KeywordsInSixLanguages1763800010500 } from '../migrations/1763800010500-keywords-in-six-languages';
import { DEFAULT_KEYWORDS } from '../src/groups/keyword.service';
import { Account, AccountStatus } from '../src/accounts/account.entity';
import { SubscriptionGroup } from '../src/groups/subscription-group.entity';
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

    it("give groups still on the English-only keyword defaults the six languages' ones, and leave changed sets alone", async () => {
      const database = await freshDatabase(kind);
      const dataSource = createDataSource(loadConfig({ DATABASE_URL: database.url, CARRIER_SIMULATOR: 'on' }).database, entities, migrations);
      await dataSource.initialize();
      const queryRunner = dataSource.createQueryRunner();
      try {
        await dataSource.runMigrations({ transaction: 'each' });
        const now = new Date();
        const { id: accountId } = await dataSource.getRepository(Account).save({ name: 'Old', homeCountry: 'US', status: AccountStatus.ACTIVE, parentId: null, inheritsGeoPermissions: false, suspensionReason: null, createdAt: now });
        await dataSource.getRepository(SubscriptionGroup).save([{ accountId, name: 'on the defaults', internationalFallback: false, createdAt: now }, { accountId, name: 'its own', internationalFallback: false, createdAt: now }]);
        const [onDefaults, ownSet] = (await dataSource.query('SELECT id FROM subscription_groups ORDER BY id')).map((r: { id: number }) => Number(r.id));
        // As a group made before the six languages holds them, and one whose opt-out words were changed.
        const old = { OPT_OUT: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'], OPT_IN: ['START', 'YES', 'UNSTOP'], HELP: ['HELP', 'INFO'] };
        for (const [category, keywords] of Object.entries(old)) {
          await dataSource.query('INSERT INTO keyword_sets (group_id, category, keywords, reply) VALUES (?, ?, ?, ?)', [onDefaults, category, JSON.stringify(keywords), 'r']);
          await dataSource.query('INSERT INTO keyword_sets (group_id, category, keywords, reply) VALUES (?, ?, ?, ?)', [ownSet, category, JSON.stringify(category === 'OPT_OUT' ? ['STOP', 'ENOUGH'] : keywords), 'r']);
        }
        await new KeywordsInSixLanguages1763800010500().up(queryRunner);
        const sets = async (groupId: number) => Object.fromEntries((await dataSource.query('SELECT category, keywords FROM keyword_sets WHERE group_id = ?', [groupId]))
          .map((r: { category: string; keywords: string }) => [r.category, JSON.parse(r.keywords)]));
        expect(await sets(onDefaults)).toEqual(Object.fromEntries(Object.entries(DEFAULT_KEYWORDS).map(([category, set]) => [category, set.keywords])));
        expect((await sets(ownSet)).OPT_OUT).toEqual(['STOP', 'ENOUGH']);
        expect((await sets(ownSet)).HELP).toEqual(DEFAULT_KEYWORDS.HELP.keywords);
        await new KeywordsInSixLanguages1763800010500().down(queryRunner);
        expect(await sets(onDefaults)).toEqual(old);
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
