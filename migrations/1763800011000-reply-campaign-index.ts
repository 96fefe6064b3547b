import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The inbound look-up asks for the campaign of the latest outbound message between a contact and
 * a sender. On (contact_id, sender_id, id) that walked back over every reply since the last
 * outbound message, so a reply cost more the longer its thread had gone without one; with the
 * direction in the key it reads the outbound rows only.
 */
export class ReplyCampaignIndex1763800011000 implements MigrationInterface {
  name = 'ReplyCampaignIndex1763800011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('messages', new TableIndex({ name: 'IDX_messages_contact_sender_direction', columnNames: ['contact_id', 'sender_id', 'direction', 'id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('messages', 'IDX_messages_contact_sender_direction');
  }
}
