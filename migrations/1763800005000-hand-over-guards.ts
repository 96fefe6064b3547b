import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { datetime, id, int, varchar } from './columns';

/**
 * Hand-overs record their attempts and the carrier's last answer; keyword answers are marked
 * exempt from the opt-out check (the guard runs again at hand-over); status callbacks that come
 * before their message's sid is stored wait in a table until it is.
 */
export class HandOverGuards1763800005000 implements MigrationInterface {
  name = 'HandOverGuards1763800005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('messages', new TableColumn({ name: 'opt_out_exempt', type: 'boolean', isNullable: false, default: false }));
    await queryRunner.addColumn('messages', new TableColumn({ ...int('attempts'), default: 0 }));
    await queryRunner.addColumn('messages', new TableColumn(varchar('last_provider_response', 500, true)));
    await queryRunner.createTable(new Table({
      name: 'early_status_callbacks',
      columns: [
        id(),
        varchar('provider_sid', 64),
        varchar('status', 16),
        varchar('raw_status', 32),
        int('error_code', true),
        datetime('received_at'),
      ],
      indices: [
        // A retried callback is kept once.
        new TableIndex({ name: 'UQ_early_status_callbacks', columnNames: ['provider_sid', 'status'], isUnique: true }),
        new TableIndex({ name: 'IDX_early_status_callbacks_received', columnNames: ['received_at'] }),
      ],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('early_status_callbacks');
    await queryRunner.dropColumn('messages', 'last_provider_response');
    await queryRunner.dropColumn('messages', 'attempts');
    await queryRunner.dropColumn('messages', 'opt_out_exempt');
  }
}
