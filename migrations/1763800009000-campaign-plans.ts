import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { datetime, int, text, varchar } from './columns';

/** A launch plans its messages in the background: the cursor, pacing and lease of each campaign's planning. */
export class CampaignPlans1763800009000 implements MigrationInterface {
  name = 'CampaignPlans1763800009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(new Table({
      name: 'campaign_plans',
      columns: [
        { ...int('campaign_id'), isPrimary: true },
        varchar('status', 16),
        { ...int('after_membership'), default: 0 },
        int('last_membership'),
        int('audience'),
        { ...int('planned'), default: 0 },
        text('sender_slots'),
        varchar('lease_owner', 64, true),
        datetime('lease_until', true),
        datetime('started_at'),
        datetime('finished_at', true),
      ],
      indices: [new TableIndex({ name: 'IDX_campaign_plans_status_lease', columnNames: ['status', 'lease_until'] })],
      foreignKeys: [new TableForeignKey({ columnNames: ['campaign_id'], referencedTableName: 'campaigns', referencedColumnNames: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' })],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('campaign_plans');
  }
}
