import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { datetime, id, int, text, varchar } from './columns';

/**
 * Partner sends: idempotency keys of sendMessage (one row per account and key, inserted first
 * so that racing requests meet on the unique index), scopes of API keys (null: full access, as
 * every key made before), automatic prefix blocks, the one-off hand-overs the pumping guard
 * counts, and its per-account thresholds. Boolean defaults are written 0 and 1, which SQLite
 * and MariaDB both store as the entities read them.
 */
export class PartnerSends1763800008500 implements MigrationInterface {
  name = 'PartnerSends1763800008500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(new Table({
      name: 'idempotency_keys',
      columns: [
        id(),
        int('account_id'),
        varchar('idempotency_key', 255),
        varchar('request_hash', 64),
        int('message_id', true),
        text('refusal', true),
        datetime('created_at'),
        datetime('completed_at', true),
      ],
      indices: [
        new TableIndex({ name: 'UQ_idempotency_keys_account_key', columnNames: ['account_id', 'idempotency_key'], isUnique: true }),
        new TableIndex({ name: 'IDX_idempotency_keys_created', columnNames: ['created_at'] }),
      ],
    }));
    await queryRunner.addColumn('api_keys', new TableColumn(varchar('scopes', 200, true)));
    await queryRunner.addColumn('blocked_prefixes', new TableColumn({ name: 'automatic', type: 'boolean', isNullable: false, default: 0 }));
    await queryRunner.createTable(new Table({
      name: 'fraud_one_off_hand_overs',
      columns: [id(), int('account_id'), varchar('prefix', 16), varchar('phone_number', 20), varchar('region', 2, true), int('message_id'), datetime('handed_over_at')],
      indices: [
        new TableIndex({ name: 'UQ_fraud_one_off_hand_overs_message', columnNames: ['message_id'], isUnique: true }),
        new TableIndex({ name: 'IDX_fraud_one_off_hand_overs_prefix', columnNames: ['account_id', 'prefix', 'handed_over_at'] }),
        new TableIndex({ name: 'IDX_fraud_one_off_hand_overs_time', columnNames: ['handed_over_at'] }),
      ],
    }));
    await queryRunner.createTable(new Table({
      name: 'pumping_guard_settings',
      columns: [
        id(),
        int('account_id'),
        { name: 'enabled', type: 'boolean', isNullable: false, default: 1 },
        int('window_minutes'),
        int('burst_distinct_numbers'),
        int('rare_below'),
        int('baseline_days'),
        int('min_final_statuses'),
        int('delivery_floor_percent'),
        datetime('updated_at'),
      ],
      indices: [new TableIndex({ name: 'UQ_pumping_guard_settings_account', columnNames: ['account_id'], isUnique: true })],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('pumping_guard_settings');
    await queryRunner.dropTable('fraud_one_off_hand_overs');
    await queryRunner.dropColumn('blocked_prefixes', 'automatic');
    await queryRunner.dropColumn('api_keys', 'scopes');
    await queryRunner.dropTable('idempotency_keys');
  }
}
