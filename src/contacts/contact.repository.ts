import { In, type DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { placeholders } from '../core/sql';
import { bulkInsert } from './bulk-insert.repository';
import { Contact } from './contact.entity';

/** What an import's upsert merges into, of a contact that exists already. */
export interface StoredContactFields {
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, unknown> | null;
}

/** The contacts table. */
export class ContactRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get contacts() {
    return this.dataSource.getRepository(Contact);
  }

  findById(id: number): Promise<Contact | null> {
    return this.contacts.findOneBy({ id });
  }

  async findByIds(ids: readonly number[]): Promise<Contact[]> {
    return ids.length ? this.contacts.findBy({ id: In([...ids]) }) : [];
  }

  findByPhone(accountId: number, e164: string): Promise<Contact | null> {
    return this.contacts.findOneBy({ accountId, phoneNumber: e164 });
  }

  /** Fails with a duplicate-key error when the account has the number already. */
  insert(contact: Omit<Contact, 'id'>): Promise<Contact> {
    return this.contacts.save(this.contacts.create(contact));
  }

  async updateFields(id: number, changes: Partial<Contact>): Promise<void> {
    await this.contacts.update({ id }, changes as QueryDeepPartialEntity<Contact>);
  }

  /** Of these numbers, the account's contacts that exist already, by number, with the fields an upsert merges into. */
  async storedFieldsOf(manager: EntityManager, accountId: number, numbers: readonly string[]): Promise<Map<string, StoredContactFields>> {
    const rows: Array<{ phone_number: string; first_name: string | null; last_name: string | null; attributes: string | null }> = await manager.query(
      `SELECT phone_number, first_name, last_name, attributes FROM contacts WHERE account_id = ? AND phone_number IN (${placeholders(numbers.length)})`,
      [accountId, ...numbers],
    );
    return new Map(rows.map((r) => [r.phone_number, {
      firstName: r.first_name,
      lastName: r.last_name,
      attributes: r.attributes ? (JSON.parse(r.attributes) as Record<string, unknown>) : null,
    }]));
  }

  /**
   * Inserts or updates contacts by (account, number) in one statement; the upsert also absorbs a
   * contact made meanwhile by an inbound message.
   */
  async upsertMany(manager: EntityManager, rows: Array<Partial<Contact>>): Promise<void> {
    await bulkInsert(manager, Contact, {
      rows,
      properties: ['accountId', 'phoneNumber', 'country', 'firstName', 'lastName', 'attributes', 'createdAt', 'updatedAt'],
      onConflict: { update: ['firstName', 'lastName', 'attributes', 'updatedAt'], keys: ['accountId', 'phoneNumber'] },
    });
  }

  /** The ids of the account's contacts with these numbers. */
  async idsOfNumbers(manager: EntityManager, accountId: number, numbers: readonly string[]): Promise<number[]> {
    const rows: Array<{ id: number | string }> = await manager.query(
      `SELECT id FROM contacts WHERE account_id = ? AND phone_number IN (${placeholders(numbers.length)})`,
      [accountId, ...numbers],
    );
    return rows.map((r) => Number(r.id));
  }
}
