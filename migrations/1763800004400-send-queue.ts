import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The dispatcher claims queued messages with a token of its own (several instances may share a
 * queue), and campaign stats group a campaign's messages by status, country and error from the
 * index alone.
 */
export class SendQueue1763800004400 implements MigrationInterface {
  name = 'SendQueue1763800004400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('messages', new TableColumn({ name: 'send_claim', type: 'varchar', length: '40', isNullable: true }));
    await queryRunner.createIndex('messages', new TableIndex({ name: 'IDX_messages_campaign_stats', columnNames: ['campaign_id', 'status', 'country', 'error_code'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('messages', 'IDX_messages_campaign_stats');
    await queryRunner.dropColumn('messages', 'send_claim');
  }
}
