import { TableColumn, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The schema as the entities declare it, where the first migrations left a choice to the database:
 * - every foreign key says NO ACTION on delete and update. SQLite and MySQL 8 keep that when it is
 *   not said; MariaDB keeps RESTRICT (the same behaviour in InnoDB, but another schema);
 * - messages.opt_out_exempt defaults to 0, which SQLite had stored as the word false.
 * Only what differs is changed, so this does nothing on a database that already agrees.
 */
const TABLES = ['accounts', 'api_keys', 'geo_permissions', 'blocked_prefixes', 'subscription_groups', 'senders', 'keyword_sets', 'contacts', 'memberships', 'campaigns', 'conversations', 'messages'];

export class SchemaMatchesEntities1763800006000 implements MigrationInterface {
  name = 'SchemaMatchesEntities1763800006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Named: without names, TypeORM's MySQL driver reads the tables of every schema on the server.
    for (const table of await queryRunner.getTables(TABLES)) {
      for (const key of [...table.foreignKeys]) {
        if (key.onDelete === 'NO ACTION' && key.onUpdate === 'NO ACTION') continue;
        await queryRunner.dropForeignKey(table, key);
        await queryRunner.createForeignKey(table, new TableForeignKey({
          name: key.name,
          columnNames: key.columnNames,
          referencedTableName: key.referencedTableName,
          referencedColumnNames: key.referencedColumnNames,
          onDelete: 'NO ACTION',
          onUpdate: 'NO ACTION',
        }));
      }
    }
    const messages = await queryRunner.getTable('messages');
    const exempt = messages?.findColumnByName('opt_out_exempt');
    if (messages && exempt && String(exempt.default) === 'false') {
      await queryRunner.changeColumn(messages, exempt, new TableColumn({ name: 'opt_out_exempt', type: 'boolean', isNullable: false, default: 0 }));
    }
  }

  async down(): Promise<void> {
    // What came before were each database's defaults, which behave the same: nothing to undo.
  }
}
