import type { MembershipSource, SubscriptionStatus } from './membership.entity';

/** A consent change as the webhooks' contact.opted_out / contact.opted_in events carry it. */
export interface MembershipChangePayload {
  accountId: number;
  groupId: number;
  contactId: number;
  status: SubscriptionStatus;
  previousStatus: SubscriptionStatus | null;
  source: MembershipSource;
  occurredAt: string;
}
