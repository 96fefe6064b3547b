import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { isDuplicateKeyError } from '../core/database';
import { badInput } from '../core/errors';
import { parsePhone, type ParsedPhone } from '../core/phone';
import { checkAttributes } from './contact-fields';
import type { Contact } from './contact.entity';
import type { ContactRepository } from './contact.repository';

export interface ContactFields {
  firstName?: string | null;
  lastName?: string | null;
  attributes?: Record<string, unknown> | null;
}

export class ContactService {
  constructor(
    private readonly repo: ContactRepository,
    private readonly accounts: AccountService,
  ) {}

  findById(id: number): Promise<Contact | null> {
    return this.repo.findById(id);
  }

  findByIds(ids: readonly number[]): Promise<Contact[]> {
    return this.repo.findByIds(ids);
  }

  findByPhone(accountId: number, e164: string): Promise<Contact | null> {
    return this.repo.findByPhone(accountId, e164);
  }

  /** Race-safe on the unique (account, number) key: two inbound messages at once make one contact. */
  async findOrCreateByPhone(accountId: number, phone: ParsedPhone): Promise<Contact> {
    const existing = await this.findByPhone(accountId, phone.e164);
    if (existing) return existing;
    const now = new Date();
    const contact = {
      accountId,
      phoneNumber: phone.e164,
      country: phone.country,
      firstName: null,
      lastName: null,
      attributes: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      return await this.repo.insert(contact);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return (await this.findByPhone(accountId, phone.e164))!;
    }
  }

  /** The contact of a number, made if new, with the given fields stored (attributes merged). */
  async findOrCreateWithFields(accountId: number, phone: ParsedPhone, fields: ContactFields | null | undefined): Promise<Contact> {
    const contact = await this.findOrCreateByPhone(accountId, phone);
    const changes: Partial<Contact> = {};
    if (fields?.firstName != null && fields.firstName !== contact.firstName) changes.firstName = fields.firstName;
    if (fields?.lastName != null && fields.lastName !== contact.lastName) changes.lastName = fields.lastName;
    if (fields?.attributes) {
      changes.attributes = { ...(contact.attributes ?? {}), ...fields.attributes };
      // Each part is within the bound; what is stored is their merge.
      checkAttributes(changes.attributes, 'contact.attributes');
    }
    if (!Object.keys(changes).length) return contact;
    changes.updatedAt = new Date();
    await this.repo.updateFields(contact.id, changes);
    return Object.assign(contact, changes);
  }

  getVisible(principal: Principal, rawId: string | number): Promise<Contact | null> {
    return this.accounts.findVisible(principal, 'ctc', rawId, (id) => this.findById(id));
  }

  /** Numbers without '+' are read in the account's home country. */
  async byPhone(principal: Principal, rawPhone: string, rawAccountId?: string | null): Promise<Contact | null> {
    const account = await this.accounts.resolveTarget(principal, rawAccountId);
    const phone = parsePhone(rawPhone, account.homeCountry);
    if (!phone.valid) throw badInput('phoneNumber', `"${rawPhone}" is not a valid phone number`);
    return this.findByPhone(account.id, phone.e164);
  }
}
