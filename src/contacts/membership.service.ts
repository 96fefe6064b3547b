import { In, type DataSource, type EntityManager } from 'typeorm';
import { isDeadlockError, isDuplicateKeyError } from '../core/database';
import type { Page } from '../core/connection';
import { byId, keysetPage } from '../core/pagination';
import { NO_OUTBOX, type EventOutbox } from '../core/event-outbox';
import { execute, sqlDate } from '../core/sql';
import type { GroupService } from '../groups/group.service';
import type { ConsentCause, ConsentLedger } from './consent-ledger';
import type { MembershipChangePayload } from './membership-change';
import { Membership, SubscriptionStatus } from './membership.entity';

export interface ChangeOptions {
  /** Change only a membership in this status. */
  onlyFrom?: SubscriptionStatus;
  /** Change only a PENDING membership whose request expired by then. */
  pendingBefore?: Date;
  /** For a move to PENDING: when its request expires. */
  pendingUntil?: Date;
}

export interface MembershipChange {
  /** Null only when onlyFrom found no membership. */
  membership: Membership | null;
  previous: SubscriptionStatus | null;
  changed: boolean;
}

class LostRace extends Error {}

const MAX_ATTEMPTS = 5;

/** Memberships and their consent ledger: every change of a membership's status goes through here or through the import's bulk path. */
export class MembershipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: ConsentLedger,
    private readonly groups: GroupService,
    private readonly outbox: EventOutbox = NO_OUTBOX,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(Membership);
  }

  /** Moves a membership to `status` (making it where there is none) with its ledger row, in one transaction. */
  async setStatus(groupId: number, contactId: number, status: SubscriptionStatus, cause: ConsentCause): Promise<Membership> {
    return (await this.changeStatus(groupId, contactId, status, cause)).membership!;
  }

  /**
   * The one writer of a single membership's status. A write to the status it has already is no
   * change: nothing is written and no record made. The status moves only from the one read
   * (`... WHERE status = old`), so two concurrent changes (a keyword and an API call) each
   * record the status they really replaced; the loser of a race reads again and retries.
   * `onlyFrom` makes the change only from that status (a confirmation, an expiry).
   */
  async changeStatus(groupId: number, contactId: number, status: SubscriptionStatus, cause: ConsentCause, options: ChangeOptions = {}): Promise<MembershipChange> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction((manager) => this.changeIn(manager, groupId, contactId, status, cause, options));
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !(error instanceof LostRace || isDuplicateKeyError(error) || isDeadlockError(error))) throw error;
      }
    }
  }

  private async changeIn(manager: EntityManager, groupId: number, contactId: number, status: SubscriptionStatus, cause: ConsentCause, options: ChangeOptions): Promise<MembershipChange> {
    const existing = await manager.findOneBy(Membership, { groupId, contactId });
    const previous = existing?.status ?? null;
    if ((options.onlyFrom && previous !== options.onlyFrom) || previous === status) return { membership: existing, previous, changed: false };
    if (options.pendingBefore && !(existing?.pendingUntil && existing.pendingUntil <= options.pendingBefore)) return { membership: existing, previous, changed: false };
    const now = new Date();
    const pendingUntil = status === SubscriptionStatus.PENDING ? options.pendingUntil ?? null : null;
    if (!existing) {
      await manager.insert(Membership, { groupId, contactId, status, source: cause.source, pendingUntil, confirmationsSent: 0, createdAt: now, updatedAt: now });
    } else {
      const date = (d: Date | null) => (d ? sqlDate(this.dataSource, d) : null);
      const moved = await execute(manager, 'UPDATE memberships SET status = ?, source = ?, pending_until = ?, updated_at = ? WHERE id = ? AND status = ?',
        [status, cause.source, date(pendingUntil), date(now), existing.id, existing.status]);
      if (moved !== 1) throw new LostRace();
    }
    await this.ledger.append(manager, [{ groupId, contactId, oldStatus: previous, newStatus: status, source: cause.source, cause: cause.cause, apiKeyId: cause.apiKeyId, consentText: cause.consentText, createdAt: now }]);
    await this.announce(manager, { groupId, contactId, status, previousStatus: previous, source: cause.source, now });
    return { membership: await manager.findOneByOrFail(Membership, { groupId, contactId }), previous, changed: true };
  }

  /** The contact.opted_out / contact.opted_in webhook event of a change, in the change's own transaction: both or neither. */
  private async announce(manager: EntityManager, change: Omit<MembershipChangePayload, 'accountId' | 'occurredAt'> & { now: Date }): Promise<void> {
    if (change.status === SubscriptionStatus.PENDING) return;
    const type = change.status === SubscriptionStatus.UNSUBSCRIBED ? 'contact.opted_out' : 'contact.opted_in';
    const accountId = (await this.groups.accountIdsOf([change.groupId])).get(change.groupId);
    if (accountId === undefined || !(await this.outbox.wants(accountId, type))) return;
    const { now, ...rest } = change;
    const payload: MembershipChangePayload = { ...rest, accountId, occurredAt: now.toISOString() };
    await this.outbox.enqueue(manager, accountId, type, payload);
  }

  findMembership(groupId: number, contactId: number): Promise<Membership | null> {
    return this.repo.findOneBy({ groupId, contactId });
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

  /** The memberships of many contacts in one query, oldest first (a contact's are all of groups of its own account). */
  async membershipsOfContacts(contactIds: readonly number[]): Promise<Membership[]> {
    return contactIds.length ? this.repo.find({ where: { contactId: In([...contactIds]) }, order: { id: 'ASC' } }) : [];
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
