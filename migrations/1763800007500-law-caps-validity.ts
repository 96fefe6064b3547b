import { Table, TableColumn, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { datetime, id, int } from './columns';

const fk = (column: string, table: string) => new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' });

/** Accounts' and groups' frequency caps (src/compliance), and a campaign's validity period. */
export class LawCapsValidity1763800007500 implements MigrationInterface {
  name = 'LawCapsValidity1763800007500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(new Table({
      name: 'frequency_caps',
      columns: [id(), int('account_id'), int('group_id', true), int('max_messages'), int('window_seconds'), datetime('created_at')],
      indices: [
        new TableIndex({ name: 'IDX_frequency_caps_account', columnNames: ['account_id'] }),
        new TableIndex({ name: 'IDX_frequency_caps_group', columnNames: ['group_id'] }),
      ],
      foreignKeys: [fk('account_id', 'accounts'), fk('group_id', 'subscription_groups')],
    }));
    await queryRunner.addColumn('campaigns', new TableColumn(int('validity_seconds', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('campaigns', 'validity_seconds');
    await queryRunner.dropTable('frequency_caps');
  }
}
