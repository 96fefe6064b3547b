import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bool, datetime, id, int, text, varchar } from './columns';

export class AccountsGeo1763800000000 implements MigrationInterface {
  name = 'AccountsGeo1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(new Table({
      name: 'settings',
      columns: [{ ...varchar('name', 64), isPrimary: true }, text('value')],
    }));
    await queryRunner.createTable(new Table({
      name: 'accounts',
      columns: [
        id(),
        varchar('name', 200),
        varchar('home_country', 2),
        varchar('status', 16),
        varchar('suspension_reason', 500, true),
        int('parent_id', true),
        bool('inherits_geo_permissions'),
        datetime('created_at'),
      ],
      indices: [new TableIndex({ name: 'IDX_accounts_parent', columnNames: ['parent_id'] })],
      foreignKeys: [new TableForeignKey({ columnNames: ['parent_id'], referencedTableName: 'accounts', referencedColumnNames: ['id'] })],
    }));
    await queryRunner.createTable(new Table({
      name: 'api_keys',
      columns: [
        id(),
        int('account_id'),
        varchar('name', 200),
        varchar('prefix', 16),
        varchar('secret_hash', 64),
        datetime('created_at'),
        datetime('last_used_at', true),
        datetime('revoked_at', true),
      ],
      indices: [
        new TableIndex({ name: 'IDX_api_keys_account', columnNames: ['account_id'] }),
        new TableIndex({ name: 'UQ_api_keys_secret_hash', columnNames: ['secret_hash'], isUnique: true }),
      ],
      foreignKeys: [new TableForeignKey({ columnNames: ['account_id'], referencedTableName: 'accounts', referencedColumnNames: ['id'] })],
    }));
    await queryRunner.createTable(new Table({
      name: 'geo_permissions',
      columns: [{ ...int('account_id'), isPrimary: true }, { ...varchar('country', 2), isPrimary: true }],
      foreignKeys: [new TableForeignKey({ columnNames: ['account_id'], referencedTableName: 'accounts', referencedColumnNames: ['id'] })],
    }));
    await queryRunner.createTable(new Table({
      name: 'blocked_prefixes',
      columns: [id(), int('account_id'), varchar('prefix', 16), varchar('reason', 500, true), datetime('created_at')],
      indices: [new TableIndex({ name: 'UQ_blocked_prefixes_account_prefix', columnNames: ['account_id', 'prefix'], isUnique: true })],
      foreignKeys: [new TableForeignKey({ columnNames: ['account_id'], referencedTableName: 'accounts', referencedColumnNames: ['id'] })],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['blocked_prefixes', 'geo_permissions', 'api_keys', 'accounts', 'settings']) await queryRunner.dropTable(table);
  }
}
