import { Table, TableColumn, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { datetime, id, int, text, varchar } from './columns';

const fk = (column: string, table: string) => new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' });

/**
 * The consent ledger (one row per membership change, never edited), double opt-in (PENDING
 * memberships with an expiry, the group's switch and request) and the per-group switch of
 * plain-words opt-outs. Booleans default to 0/1, as the entities' false/true are stored on both databases.
 */
export class ConsentLedger1763800007000 implements MigrationInterface {
  name = 'ConsentLedger1763800007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(new Table({
      name: 'consent_records',
      columns: [
        id(),
        int('group_id'),
        int('contact_id'),
        varchar('old_status', 16, true),
        varchar('new_status', 16),
        varchar('source', 16),
        varchar('cause', 200),
        int('api_key_id', true),
        text('consent_text', true),
        datetime('created_at'),
      ],
      indices: [
        new TableIndex({ name: 'IDX_consent_records_member', columnNames: ['group_id', 'contact_id', 'id'] }),
        new TableIndex({ name: 'IDX_consent_records_group_time', columnNames: ['group_id', 'created_at', 'id'] }),
      ],
      foreignKeys: [fk('group_id', 'subscription_groups'), fk('contact_id', 'contacts')],
    }));
    await queryRunner.addColumn('memberships', new TableColumn(datetime('pending_until', true)));
    await queryRunner.addColumn('memberships', new TableColumn({ ...int('confirmations_sent'), default: 0 }));
    await queryRunner.createIndex('memberships', new TableIndex({ name: 'IDX_memberships_pending', columnNames: ['status', 'pending_until'] }));
    await queryRunner.addColumn('subscription_groups', new TableColumn({ name: 'double_opt_in', type: 'boolean', isNullable: false, default: 0 }));
    await queryRunner.addColumn('subscription_groups', new TableColumn(text('confirmation_request', true)));
    await queryRunner.addColumn('subscription_groups', new TableColumn(int('confirmation_expiry_seconds', true)));
    await queryRunner.addColumn('subscription_groups', new TableColumn({ name: 'plain_words_opt_out', type: 'boolean', isNullable: false, default: 1 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['plain_words_opt_out', 'confirmation_expiry_seconds', 'confirmation_request', 'double_opt_in']) await queryRunner.dropColumn('subscription_groups', column);
    await queryRunner.dropIndex('memberships', 'IDX_memberships_pending');
    await queryRunner.dropColumn('memberships', 'confirmations_sent');
    await queryRunner.dropColumn('memberships', 'pending_until');
    await queryRunner.dropTable('consent_records');
  }
}
