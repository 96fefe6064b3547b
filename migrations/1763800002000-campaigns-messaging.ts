import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { datetime, id, int, text, varchar } from './columns';

const fk = (column: string, table: string) => new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'] });

export class CampaignsMessaging1763800002000 implements MigrationInterface {
  name = 'CampaignsMessaging1763800002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(new Table({
      name: 'campaigns',
      columns: [
        id(),
        int('account_id'),
        int('group_id'),
        varchar('name', 200),
        text('body'),
        varchar('status', 16),
        datetime('scheduled_at', true),
        varchar('send_window_start', 5, true),
        varchar('send_window_end', 5, true),
        datetime('launched_at', true),
        datetime('completed_at', true),
        { ...int('recipients'), default: 0 },
        { ...int('replies'), default: 0 },
        { ...int('opt_outs'), default: 0 },
        datetime('created_at'),
      ],
      indices: [
        new TableIndex({ name: 'IDX_campaigns_account', columnNames: ['account_id', 'id'] }),
        new TableIndex({ name: 'IDX_campaigns_status_scheduled', columnNames: ['status', 'scheduled_at'] }),
      ],
      foreignKeys: [fk('account_id', 'accounts'), fk('group_id', 'subscription_groups')],
    }));
    await queryRunner.createTable(new Table({
      name: 'conversations',
      columns: [
        id(),
        int('account_id'),
        int('group_id'),
        int('contact_id'),
        int('sender_id'),
        varchar('status', 8),
        { ...int('unread_count'), default: 0 },
        int('last_message_id', true),
        datetime('last_message_at', true),
        datetime('created_at'),
      ],
      indices: [
        new TableIndex({ name: 'UQ_conversations_contact_sender', columnNames: ['contact_id', 'sender_id'], isUnique: true }),
        // The inbox: an account's conversations, newest activity first.
        new TableIndex({ name: 'IDX_conversations_inbox', columnNames: ['account_id', 'last_message_at', 'id'] }),
      ],
      foreignKeys: [fk('account_id', 'accounts'), fk('group_id', 'subscription_groups'), fk('contact_id', 'contacts'), fk('sender_id', 'senders')],
    }));
    await queryRunner.createTable(new Table({
      name: 'messages',
      columns: [
        id(),
        int('account_id'),
        int('campaign_id', true),
        int('conversation_id', true),
        int('contact_id', true),
        int('sender_id', true),
        varchar('direction', 8),
        varchar('from_address', 32),
        varchar('to_address', 32),
        text('body'),
        varchar('status', 16),
        varchar('error_code', 32, true),
        int('provider_code', true),
        varchar('error_message', 500, true),
        varchar('encoding', 8),
        int('segments'),
        varchar('provider_sid', 64, true),
        varchar('country', 2, true),
        datetime('send_after', true),
        { ...int('num_media'), default: 0 },
        text('media_urls', true),
        datetime('created_at'),
        datetime('updated_at'),
      ],
      indices: [
        // One message per recipient per campaign, whatever crashes or retries happen.
        new TableIndex({ name: 'UQ_messages_campaign_contact', columnNames: ['campaign_id', 'contact_id'], isUnique: true }),
        // Inbound idempotency on MessageSid, and status callbacks finding their message.
        new TableIndex({ name: 'UQ_messages_provider_sid', columnNames: ['provider_sid'], isUnique: true }),
        new TableIndex({ name: 'IDX_messages_queue', columnNames: ['status', 'send_after', 'id'] }),
        new TableIndex({ name: 'IDX_messages_campaign_status', columnNames: ['campaign_id', 'status'] }),
        new TableIndex({ name: 'IDX_messages_conversation', columnNames: ['conversation_id', 'id'] }),
        new TableIndex({ name: 'IDX_messages_contact_sender', columnNames: ['contact_id', 'sender_id', 'id'] }),
        new TableIndex({ name: 'IDX_messages_account', columnNames: ['account_id', 'id'] }),
      ],
      foreignKeys: [fk('account_id', 'accounts'), fk('campaign_id', 'campaigns'), fk('contact_id', 'contacts'), fk('sender_id', 'senders')],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['messages', 'conversations', 'campaigns']) await queryRunner.dropTable(table);
  }
}
