import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Marks one-off transactional sends (sendMessage), which the law's quiet hours do not hold. */
export class TransactionalMessages1763800010000 implements MigrationInterface {
  name = 'TransactionalMessages1763800010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('messages', new TableColumn({ name: 'transactional', type: 'boolean', isNullable: false, default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('messages', 'transactional');
  }
}
