import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { badInput, forbidden } from '../core/errors';
import { parsePhone } from '../core/phone';
import type { GroupService } from '../groups/group.service';
import { consentTextOf } from './consent-ledger';
import type { ContactService } from './contact.service';
import { MAX_CONFIRMATION_REQUESTS, type DoubleOptIn } from './double-opt-in';
import { SubscriptionStatus, type Membership } from './membership.entity';
import type { MembershipService } from './membership.service';

/** The `setSubscription` mutation: the API's way to change one membership, with its ledger record. */
export class SubscriptionService {
  constructor(
    private readonly accounts: AccountService,
    private readonly groups: GroupService,
    private readonly contacts: ContactService,
    private readonly memberships: MembershipService,
    private readonly doubleOptIn: DoubleOptIn,
  ) {}

  /**
   * Makes the contact where the account has none for the number. In a double opt-in group,
   * SUBSCRIBED means "ask": the member becomes PENDING and is sent the confirmation request
   * (asking again a PENDING or lapsed member re-sends it once, never more).
   */
  async setSubscription(principal: Principal, rawGroupId: string, rawPhone: string, status: SubscriptionStatus, rawConsentText?: string | null): Promise<Membership> {
    if (status === SubscriptionStatus.PENDING) throw badInput('status', 'PENDING is set by double opt-in: ask for SUBSCRIBED in a group with doubleOptIn');
    const consentText = consentTextOf(rawConsentText);
    const group = await this.groups.requireVisible(principal, rawGroupId);
    const account = (await this.accounts.findById(group.accountId))!;
    const phone = parsePhone(rawPhone, account.homeCountry);
    if (!phone.valid) throw badInput('phoneNumber', `"${rawPhone}" is not a valid phone number`);
    const contact = await this.contacts.findOrCreateByPhone(account.id, phone);
    const cause = { source: 'API' as const, cause: 'api', apiKeyId: principal.kind === 'account' ? principal.apiKeyId : null, consentText };
    if (!group.doubleOptIn || status !== SubscriptionStatus.SUBSCRIBED) {
      return this.memberships.setStatus(group.id, contact.id, status, cause);
    }
    const current = await this.memberships.findMembership(group.id, contact.id);
    if (current?.status === SubscriptionStatus.SUBSCRIBED) return current;
    if (current && current.confirmationsSent >= MAX_CONFIRMATION_REQUESTS) {
      throw forbidden(`the contact was sent ${MAX_CONFIRMATION_REQUESTS} confirmation requests already and is not asked again; texting an OPT_IN keyword (YES) subscribes them`);
    }
    const change = await this.memberships.changeStatus(group.id, contact.id, SubscriptionStatus.PENDING, cause, { pendingUntil: this.doubleOptIn.pendingUntil(group) });
    await this.doubleOptIn.request(group, [contact.id]);
    return (await this.memberships.findMembership(group.id, contact.id)) ?? change.membership!;
  }
}
