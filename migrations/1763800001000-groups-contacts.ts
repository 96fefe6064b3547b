import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bool, datetime, double, id, int, text, varchar } from './columns';

const fk = (column: string, table: string) => new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'] });

export class GroupsContacts1763800001000 implements MigrationInterface {
  name = 'GroupsContacts1763800001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(new Table({
      name: 'subscription_groups',
      columns: [id(), int('account_id'), varchar('name', 200), text('description', true), bool('international_fallback'), datetime('created_at')],
      indices: [new TableIndex({ name: 'IDX_groups_account', columnNames: ['account_id'] })],
      foreignKeys: [fk('account_id', 'accounts')],
    }));
    await queryRunner.createTable(new Table({
      name: 'senders',
      columns: [
        id(),
        int('group_id'),
        int('account_id'),
        varchar('type', 16),
        varchar('value', 32),
        varchar('active_value', 32, true),
        varchar('country', 2),
        bool('two_way'),
        double('max_per_second'),
        datetime('created_at'),
        datetime('removed_at', true),
      ],
      indices: [
        new TableIndex({ name: 'IDX_senders_group', columnNames: ['group_id'] }),
        // A value belongs to one group in the whole system while it is active (NULLs do not collide).
        new TableIndex({ name: 'UQ_senders_active_value', columnNames: ['active_value'], isUnique: true }),
      ],
      foreignKeys: [fk('group_id', 'subscription_groups'), fk('account_id', 'accounts')],
    }));
    await queryRunner.createTable(new Table({
      name: 'keyword_sets',
      columns: [id(), int('group_id'), varchar('category', 16), text('keywords'), text('reply', true)],
      indices: [new TableIndex({ name: 'UQ_keyword_sets_group_category', columnNames: ['group_id', 'category'], isUnique: true })],
      foreignKeys: [fk('group_id', 'subscription_groups')],
    }));
    await queryRunner.createTable(new Table({
      name: 'contacts',
      columns: [
        id(),
        int('account_id'),
        varchar('phone_number', 32),
        varchar('country', 2, true),
        varchar('first_name', 200, true),
        varchar('last_name', 200, true),
        text('attributes', true),
        datetime('created_at'),
        datetime('updated_at'),
      ],
      indices: [new TableIndex({ name: 'UQ_contacts_account_phone', columnNames: ['account_id', 'phone_number'], isUnique: true })],
      foreignKeys: [fk('account_id', 'accounts')],
    }));
    await queryRunner.createTable(new Table({
      name: 'memberships',
      columns: [id(), int('group_id'), int('contact_id'), varchar('status', 16), varchar('source', 16), datetime('created_at'), datetime('updated_at')],
      indices: [
        new TableIndex({ name: 'UQ_memberships_group_contact', columnNames: ['group_id', 'contact_id'], isUnique: true }),
        // Paging a group's members by status in id order, and launching to the SUBSCRIBED ones.
        new TableIndex({ name: 'IDX_memberships_group_status', columnNames: ['group_id', 'status', 'id'] }),
        new TableIndex({ name: 'IDX_memberships_contact', columnNames: ['contact_id'] }),
      ],
      foreignKeys: [fk('group_id', 'subscription_groups'), fk('contact_id', 'contacts')],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['memberships', 'contacts', 'keyword_sets', 'senders', 'subscription_groups']) await queryRunner.dropTable(table);
  }
}
