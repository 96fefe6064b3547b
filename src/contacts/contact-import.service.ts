import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { badInput } from '../core/errors';
import { isKnownRegion, parsePhone } from '../core/phone';
import { sendError, SendErrorCode } from '../core/send-error';
import type { GroupService } from '../groups/group.service';
import { consentTextOf, type ConsentCause } from './consent-ledger';
import type { ConsentRecordRepository } from './consent-record.repository';
import type { DoubleOptIn } from './double-opt-in';
import type { Contact } from './contact.entity';
import type { ContactRepository } from './contact.repository';
import type { ImportRejection, ImportResult } from './contact.types';
import { checkContactFields } from './contact-fields';
import { SubscriptionStatus } from './membership.entity';
import type { MembershipRepository } from './membership.repository';

export const MAX_IMPORT_ROWS = 10_000;
/** Rows per transaction and per multi-row statement: well under both databases' parameter limits. */
const CHUNK = 1000;

export interface ContactRow {
  phoneNumber: string;
  defaultCountry?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  attributes?: Record<string, unknown> | null;
}

/** One number of the import, with every row that named it merged in order. */
interface Entry {
  e164: string;
  country: string | null;
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, unknown> | null;
  rows: number;
}

/** How this import's new members join: SUBSCRIBED, or PENDING in a double opt-in group; with the ledger's cause. */
interface JoinAs {
  status: SubscriptionStatus;
  pendingUntil: Date | null;
  cause: ConsentCause & { source: 'IMPORT'; cause: string };
}

export class ContactImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountService,
    private readonly groups: GroupService,
    private readonly contacts: ContactRepository,
    private readonly memberships: MembershipRepository,
    private readonly ledger: ConsentRecordRepository,
    private readonly doubleOptIn: DoubleOptIn,
  ) {}

  /**
   * Upserts contacts by (account, number) and, with subscribe, makes new members SUBSCRIBED
   * (PENDING, and asked to confirm, in a double opt-in group), each with its ledger record in
   * the chunk's transaction. An existing membership is left as it is: an import never overrides an opt-out.
   * Each chunk commits on its own, so a failure late in a large import keeps what went before.
   */
  async importContacts(principal: Principal, rawGroupId: string, rows: ContactRow[], subscribe: boolean, rawConsentText?: string | null): Promise<ImportResult> {
    if (rows.length > MAX_IMPORT_ROWS) {
      throw badInput('contacts', `at most ${MAX_IMPORT_ROWS} rows per call, got ${rows.length}: split the import into several calls`, { limit: MAX_IMPORT_ROWS });
    }
    const consentText = consentTextOf(rawConsentText);
    const group = await this.groups.requireVisible(principal, rawGroupId);
    const account = (await this.accounts.findById(group.accountId))!;
    rows.forEach(checkShape);
    const joining: JoinAs = {
      status: group.doubleOptIn ? SubscriptionStatus.PENDING : SubscriptionStatus.SUBSCRIBED,
      pendingUntil: group.doubleOptIn ? this.doubleOptIn.pendingUntil(group) : null,
      cause: { source: 'IMPORT', cause: `import:${randomUUID()}`, apiKeyId: principal.kind === 'account' ? principal.apiKeyId : null, consentText },
    };

    const rejected: ImportRejection[] = [];
    const entries = new Map<string, Entry>();
    rows.forEach((row, index) => {
      const defaultCountry = row.defaultCountry?.trim().toUpperCase() || null;
      if (defaultCountry && !isKnownRegion(defaultCountry)) {
        rejected.push(rejection(index, row.phoneNumber, `defaultCountry: "${row.defaultCountry}" is not a known ISO 3166-1 alpha-2 region`));
        return;
      }
      const phone = parsePhone(row.phoneNumber, defaultCountry ?? account.homeCountry);
      if (!phone.valid) {
        rejected.push(rejection(index, row.phoneNumber, `phoneNumber: "${row.phoneNumber}" is not a valid phone number${defaultCountry || row.phoneNumber.trim().startsWith('+') ? '' : ` in ${account.homeCountry}`}`));
        return;
      }
      const entry = entries.get(phone.e164);
      if (!entry) {
        entries.set(phone.e164, { e164: phone.e164, country: phone.country, firstName: clean(row.firstName), lastName: clean(row.lastName), attributes: row.attributes ?? null, rows: 1 });
        return;
      }
      entry.firstName = clean(row.firstName) ?? entry.firstName;
      entry.lastName = clean(row.lastName) ?? entry.lastName;
      entry.attributes = row.attributes ? { ...entry.attributes, ...row.attributes } : entry.attributes;
      entry.rows += 1;
    });

    const result: ImportResult = { created: 0, updated: 0, subscribed: 0, pending: 0, rejected };
    const list = [...entries.values()];
    for (let i = 0; i < list.length; i += CHUNK) {
      const chunk = list.slice(i, i + CHUNK);
      const counts = await this.dataSource.transaction((manager) => this.importChunk(manager, account.id, group.id, chunk, subscribe ? joining : null));
      result.created += counts.created;
      result.updated += counts.updated;
      if (joining.status === SubscriptionStatus.PENDING) result.pending += counts.joined.length;
      else result.subscribed += counts.joined.length;
      // Each chunk's requests go once it is committed: a request never names a membership that is not stored.
      if (joining.status === SubscriptionStatus.PENDING) await this.doubleOptIn.request(group, counts.joined);
    }
    return result;
  }

  private async importChunk(manager: EntityManager, accountId: number, groupId: number, chunk: Entry[], joinAs: JoinAs | null) {
    const numbers = chunk.map((e) => e.e164);
    const existing = await this.contacts.storedFieldsOf(manager, accountId, numbers);
    const now = new Date();
    const writes: Array<Partial<Contact>> = [];
    let created = 0;
    let updated = 0;
    for (const entry of chunk) {
      const old = existing.get(entry.e164);
      // Each further row naming the same number counts as an update, so counts add up to the rows.
      if (old) updated += entry.rows;
      else {
        created += 1;
        updated += entry.rows - 1;
      }
      const merged = {
        firstName: entry.firstName ?? old?.firstName ?? null,
        lastName: entry.lastName ?? old?.lastName ?? null,
        attributes: entry.attributes ? { ...old?.attributes, ...entry.attributes } : old?.attributes ?? null,
      };
      if (old && merged.firstName === old.firstName && merged.lastName === old.lastName && JSON.stringify(merged.attributes) === JSON.stringify(old.attributes)) continue;
      writes.push({ accountId, phoneNumber: entry.e164, country: entry.country, ...merged, createdAt: now, updatedAt: now });
    }
    // One statement for the chunk; the upsert also absorbs a contact made meanwhile by an inbound message.
    await this.contacts.upsertMany(manager, writes);
    if (!joinAs) return { created, updated, joined: [] as number[] };

    const ids = await this.contacts.idsOfNumbers(manager, accountId, numbers);
    const members = await this.memberships.membersAmong(manager, groupId, ids);
    const candidates = ids.filter((id) => !members.has(id));
    await this.memberships.insertNew(manager, candidates.map((contactId) => ({
      groupId, contactId, status: joinAs.status, source: 'IMPORT' as const, pendingUntil: joinAs.pendingUntil, confirmationsSent: 0, createdAt: now, updatedAt: now,
    })));
    // Those a keyword or an API call made meanwhile were skipped by the insert; the ledger records only the rows this import made.
    const joined = await this.memberships.madeAt(manager, groupId, 'IMPORT', now, candidates);
    await this.ledger.append(manager, joined.map((contactId) => ({
      groupId, contactId, oldStatus: null, newStatus: joinAs.status, ...joinAs.cause, createdAt: now,
    })));
    return { created, updated, joined };
  }
}

function checkShape(row: ContactRow, index: number): void {
  // Names are stored trimmed (clean), so that is what must fit.
  checkContactFields({ firstName: clean(row.firstName), lastName: clean(row.lastName), attributes: row.attributes }, `contacts[${index}]`, { index });
}

function clean(value: string | null | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}

function rejection(index: number, phoneNumber: string, message: string): ImportRejection {
  return { index, phoneNumber, error: sendError(SendErrorCode.INVALID_PHONE_NUMBER, message) };
}
