import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bool, datetime, id, int, text, varchar } from './columns';

const accountKey = () => new TableForeignKey({ columnNames: ['account_id'], referencedTableName: 'accounts', referencedColumnNames: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' });

/** Event webhooks: partners' endpoints, and the outbox: each event's delivery to each endpoint. */
export class EventWebhooks1763800008000 implements MigrationInterface {
  name = 'EventWebhooks1763800008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(new Table({
      name: 'webhook_endpoints',
      columns: [
        id(),
        int('account_id'),
        varchar('url', 2048),
        varchar('description', 500, true),
        varchar('event_types', 500),
        varchar('secret', 100),
        varchar('previous_secret', 100, true),
        datetime('previous_secret_expires_at', true),
        bool('enabled'),
        varchar('disabled_reason', 500, true),
        datetime('failing_since', true),
        varchar('lease_owner', 64, true),
        datetime('lease_until', true),
        datetime('created_at'),
        datetime('updated_at'),
      ],
      indices: [new TableIndex({ name: 'IDX_webhook_endpoints_account', columnNames: ['account_id', 'id'] })],
      foreignKeys: [accountKey()],
    }));
    await queryRunner.createTable(new Table({
      name: 'webhook_deliveries',
      columns: [
        id(),
        int('endpoint_id'),
        int('account_id'),
        varchar('event_id', 40),
        varchar('event_type', 40),
        text('payload'),
        varchar('status', 16),
        { ...int('attempts'), default: 0 },
        int('last_response_code', true),
        varchar('last_error', 500, true),
        datetime('next_attempt_at'),
        datetime('retry_until'),
        datetime('created_at'),
        datetime('delivered_at', true),
      ],
      indices: [
        new TableIndex({ name: 'UQ_webhook_deliveries_endpoint_event', columnNames: ['endpoint_id', 'event_id'], isUnique: true }),
        new TableIndex({ name: 'IDX_webhook_deliveries_due', columnNames: ['status', 'next_attempt_at'] }),
        new TableIndex({ name: 'IDX_webhook_deliveries_endpoint_status', columnNames: ['endpoint_id', 'status', 'id'] }),
      ],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_deliveries');
    await queryRunner.dropTable('webhook_endpoints');
  }
}
