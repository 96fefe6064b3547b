import type { DataSource, EntityManager } from 'typeorm';
import { isDeadlockError, isDuplicateKeyError } from '../core/database';
import type { Page } from '../core/connection';
import { NO_OUTBOX, type EventOutbox } from '../core/event-outbox';
import type { GroupService } from '../groups/group.service';
import type { ConsentCause } from './consent-ledger';
import type { ConsentRecord } from './consent-record.entity';
import type { ConsentRecordRepository } from './consent-record.repository';
import type { MembershipChangePayload } from './membership-change';
import { SubscriptionStatus, type Membership } from './membership.entity';
import type { MembershipRepository, SubscribedRecipientRow } from './membership.repository';

export type { SubscribedRecipientRow } from './membership.repository';

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
    private readonly repo: MembershipRepository,
    private readonly ledger: ConsentRecordRepository,
    private readonly groups: GroupService,
    private readonly outbox: EventOutbox = NO_OUTBOX,
  ) {}

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
    const existing = await this.repo.find(groupId, contactId, manager);
    const previous = existing?.status ?? null;
    if ((options.onlyFrom && previous !== options.onlyFrom) || previous === status) return { membership: existing, previous, changed: false };
    if (options.pendingBefore && !(existing?.pendingUntil && existing.pendingUntil <= options.pendingBefore)) return { membership: existing, previous, changed: false };
    const now = new Date();
    const pendingUntil = status === SubscriptionStatus.PENDING ? options.pendingUntil ?? null : null;
    if (!existing) {
      await this.repo.insert(manager, { groupId, contactId, status, source: cause.source, pendingUntil, confirmationsSent: 0, createdAt: now, updatedAt: now });
    } else {
      const moved = await this.repo.moveStatus(manager, existing.id, existing.status, { status, source: cause.source, pendingUntil, updatedAt: now });
      if (moved !== 1) throw new LostRace();
    }
    await this.ledger.append(manager, [{ groupId, contactId, oldStatus: previous, newStatus: status, source: cause.source, cause: cause.cause, apiKeyId: cause.apiKeyId, consentText: cause.consentText, createdAt: now }]);
    await this.announce(manager, { groupId, contactId, status, previousStatus: previous, source: cause.source, now });
    return { membership: (await this.repo.find(groupId, contactId, manager))!, previous, changed: true };
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
    return this.repo.find(groupId, contactId);
  }

  statusOf(groupId: number, contactId: number): Promise<SubscriptionStatus | null> {
    return this.repo.statusOf(groupId, contactId);
  }

  /** Statuses of many contacts in one group, for bulk routing. */
  statusesOf(groupId: number, contactIds: readonly number[]): Promise<Map<number, SubscriptionStatus>> {
    return this.repo.statusesOf(groupId, contactIds);
  }

  /** The memberships of many contacts in one query, oldest first (a contact's are all of groups of its own account). */
  membershipsOfContacts(contactIds: readonly number[]): Promise<Membership[]> {
    return this.repo.ofContacts(contactIds);
  }

  memberCount(groupId: number, status?: SubscriptionStatus | null): Promise<number> {
    return this.repo.count(groupId, status);
  }

  /** A group's members in id order (the order they joined), keyset-paged so pages stay stable while members join. */
  members(groupId: number, status: SubscriptionStatus | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Page<Membership>> {
    return this.repo.page(groupId, status, first, after);
  }

  /** A launch's audience, counted in the launch's transaction: the group's SUBSCRIBED members and the last of their membership ids. */
  subscribedAudience(manager: EntityManager, groupId: number): Promise<{ count: number; lastMembership: number }> {
    return this.repo.subscribedAudience(manager, groupId);
  }

  /** The next SUBSCRIBED members a campaign's planning reads (membership ids in (after, upTo]), with their contacts, in one query. */
  subscribedRecipients(groupId: number, afterMembership: number, upToMembership: number, limit: number): Promise<SubscribedRecipientRow[]> {
    return this.repo.subscribedRecipients(groupId, afterMembership, upToMembership, limit);
  }

  /** The consent records of many memberships of one group in one query, newest first. */
  consentHistoriesOf(groupId: number, contactIds: readonly number[]): Promise<ConsentRecord[]> {
    return this.ledger.historiesOf(groupId, contactIds);
  }

  /** A group's consent records from `since` on, oldest first, keyset-paged. */
  consentRecords(groupId: number, since: Date | null, first: number | null | undefined, after: string | null | undefined): Promise<Page<ConsentRecord>> {
    return this.ledger.page(groupId, since, first, after);
  }
}
