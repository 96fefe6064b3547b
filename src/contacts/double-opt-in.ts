import type { Logger } from '../core/logger';
import type { SubscriptionGroup } from '../groups/subscription-group.entity';
import { SubscriptionStatus } from './membership.entity';
import type { MembershipRepository } from './membership.repository';
import type { MembershipService } from './membership.service';

/** Sends a group's confirmation request to a contact: the send path's keyword-reply route, exempt from the opt-out check as those are. */
export interface ConfirmationChannel {
  sendConfirmationRequest(group: SubscriptionGroup, contactId: number, body: string): Promise<void>;
}

export interface DoubleOptInConfig {
  /** How long an unanswered request stays PENDING when the group sets no time of its own. */
  defaultExpirySeconds: number;
  /** How often PENDING memberships past their time are looked for. */
  sweepMs: number;
}

/** The first request and one re-send: never more in a membership's life. */
export const MAX_CONFIRMATION_REQUESTS = 2;
const SWEEP_BATCH = 500;

export function defaultConfirmationRequest(group: SubscriptionGroup): string {
  return `${group.name}: reply YES to confirm you want our messages. Reply STOP to opt out. Msg & data rates may apply.`;
}

/**
 * Double opt-in: PENDING memberships are asked once to confirm (re-asked at most once more, when
 * setSubscription asks again), and expire unanswered: they then become UNSUBSCRIBED with a
 * ledger record (source DOUBLE_OPT_IN, cause `expired`). The YES itself is a keyword (inbound-consent.ts).
 */
export class DoubleOptIn {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | null = null;

  constructor(
    private readonly repo: MembershipRepository,
    private readonly memberships: MembershipService,
    private readonly channel: ConfirmationChannel,
    private readonly config: DoubleOptInConfig,
    private readonly log: Logger,
  ) {}

  pendingUntil(group: SubscriptionGroup, from = new Date()): Date {
    return new Date(from.getTime() + 1000 * (group.confirmationExpirySeconds ?? this.config.defaultExpirySeconds));
  }

  /**
   * Sends the request to each PENDING member that has had fewer than two: the count is claimed
   * first (one conditional UPDATE), so that two instances, or two calls, never send one request
   * twice. A request the send path refuses is logged; the membership stays PENDING until it expires.
   */
  async request(group: SubscriptionGroup, contactIds: readonly number[]): Promise<number> {
    let sent = 0;
    for (const contactId of contactIds) {
      const claimed = await this.repo.claimConfirmation(group.id, contactId, this.pendingUntil(group), MAX_CONFIRMATION_REQUESTS);
      if (claimed !== 1) continue;
      try {
        await this.channel.sendConfirmationRequest(group, contactId, group.confirmationRequest ?? defaultConfirmationRequest(group));
        sent += 1;
      } catch (error) {
        this.log.warn({ err: error, groupId: group.id, contactId }, 'double opt-in: the confirmation request could not be sent; the membership stays PENDING until it expires');
      }
    }
    return sent;
  }

  /** Expires every PENDING membership whose request went unanswered until `now`; returns how many. */
  async expireDue(now = new Date()): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await this.repo.pendingDue(now, SWEEP_BATCH);
      for (const member of due) {
        const change = await this.memberships.changeStatus(member.groupId, member.contactId, SubscriptionStatus.UNSUBSCRIBED,
          { source: 'DOUBLE_OPT_IN', cause: 'expired' }, { onlyFrom: SubscriptionStatus.PENDING, pendingBefore: now });
        if (change.changed) expired += 1;
      }
      if (due.length < SWEEP_BATCH) return expired;
    }
  }

  start(): void {
    // One sweep at a time: a slow one is not queued behind by the next ticks.
    this.timer ??= setInterval(() => {
      this.sweeping ??= this.expireDue()
        .catch((error) => this.log.error({ err: error }, 'double opt-in: the expiry sweep failed'))
        .finally(() => {
          this.sweeping = null;
        });
    }, this.config.sweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }
}

