import { In, type DataSource } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { isDuplicateKeyError } from '../core/database';
import type { Page } from '../core/connection';
import { badInput } from '../core/errors';
import { NO_OUTBOX, type EventOutbox } from '../core/event-outbox';
import { byId, keysetPage } from '../core/pagination';
import { parsePhone } from '../core/phone';
import type { GroupService } from '../groups/group.service';
import type { ContactService } from './contact.service';
import type { MembershipChangePayload } from './membership-change';
import { Membership, SubscriptionStatus, type MembershipSource } from './membership.entity';

export class MembershipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountService,
    private readonly groups: GroupService,
    private readonly contacts: ContactService,
    private readonly outbox: EventOutbox = NO_OUTBOX,
  ) {}

  /** The `setSubscription` mutation: makes the contact where the account has none for the number. */
  async setSubscription(principal: Principal, rawGroupId: string, rawPhone: string, status: SubscriptionStatus): Promise<Membership> {
    const group = await this.groups.requireVisible(principal, rawGroupId);
    const account = (await this.accounts.findById(group.accountId))!;
    const phone = parsePhone(rawPhone, account.homeCountry);
    if (!phone.valid) throw badInput('phoneNumber', `"${rawPhone}" is not a valid phone number`);
    const contact = await this.contacts.findOrCreateByPhone(account.id, phone);
    return this.setStatus(group.id, contact.id, status, 'API');
  }

  private get repo() {
    return this.dataSource.getRepository(Membership);
  }

  /** Upsert on (group, contact): safe when a keyword and an API call race for one member. */
  async setStatus(groupId: number, contactId: number, status: SubscriptionStatus, source: MembershipSource): Promise<Membership> {
    const now = new Date();
    const existing = await this.repo.findOneBy({ groupId, contactId });
    if (!existing) {
      try {
        await this.repo.insert({ groupId, contactId, status, source, createdAt: now, updatedAt: now });
        await this.announce({ groupId, contactId, status, previousStatus: null, source, now });
        return this.repo.findOneByOrFail({ groupId, contactId });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    await this.repo.update({ groupId, contactId }, { status, source, updatedAt: now });
    if (existing?.status !== status) await this.announce({ groupId, contactId, status, previousStatus: existing?.status ?? null, source, now });
    return this.repo.findOneByOrFail({ groupId, contactId });
  }

  /**
   * The contact.opted_out / contact.opted_in webhook event of a change, stored just after it
   * (not in its transaction: a crash in between loses this event).
   */
  private async announce(change: Omit<MembershipChangePayload, 'accountId' | 'occurredAt'> & { now: Date }): Promise<void> {
    const type = change.status === SubscriptionStatus.UNSUBSCRIBED ? 'contact.opted_out' : 'contact.opted_in';
    const group = await this.groups.findById(change.groupId);
    if (!group || !(await this.outbox.wants(group.accountId, type))) return;
    const { now, ...rest } = change;
    const payload: MembershipChangePayload = { ...rest, accountId: group.accountId, occurredAt: now.toISOString() };
    await this.outbox.enqueue(null, group.accountId, type, payload);
  }

  async statusOf(groupId: number, contactId: number): Promise<SubscriptionStatus | null> {
    const row = await this.repo.findOne({ select: { status: true }, where: { groupId, contactId } });
    return row?.status ?? null;
  }

  /** Statuses of many contacts in one group, for bulk routing. */
  async statusesOf(groupId: number, contactIds: readonly number[]): Promise<Map<number, SubscriptionStatus>> {
    const result = new Map<number, SubscriptionStatus>();
    for (let i = 0; i < contactIds.length; i += 1000) {
      const rows = await this.repo.find({ select: { contactId: true, status: true }, where: { groupId, contactId: In(contactIds.slice(i, i + 1000)) } });
      for (const row of rows) result.set(row.contactId, row.status);
    }
    return result;
  }

  /** A contact's memberships; they are all of groups of the contact's own account. */
  membershipsOf(contactId: number): Promise<Membership[]> {
    return this.repo.find({ where: { contactId }, order: { id: 'ASC' } });
  }

  memberCount(groupId: number, status?: SubscriptionStatus | null): Promise<number> {
    return this.repo.countBy(status ? { groupId, status } : { groupId });
  }

  /** A group's members in id order (the order they joined), keyset-paged so pages stay stable while members join. */
  members(groupId: number, status: SubscriptionStatus | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Page<Membership>> {
    const query = this.repo.createQueryBuilder('m').where('m.groupId = :groupId', { groupId });
    if (status) query.andWhere('m.status = :status', { status });
    return keysetPage(query, byId('m', 'ASC'), { first, after });
  }
}
