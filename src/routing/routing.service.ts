import type { ContactService } from '../contacts/contact.service';
import type { MembershipService } from '../contacts/membership.service';
import type { Principal } from '../core/auth';
import { parsePhone } from '../core/phone';
import type { GeoService } from '../geo/geo.service';
import type { GroupService } from '../groups/group.service';
import { decideRoute, type RoutingContext } from './routing';
import { Route } from './routing.types';

/**
 * contactId -> the senders of the group it has conversations with, the most recently active
 * first: the conversations domain's answer, handed in by services.ts (conversations imports routing).
 */
export type ThreadSenders = (groupId: number, contactIds: readonly number[]) => Promise<Map<number, number[]>>;

/** Loads what decideRoute needs; the decision itself stays pure and in memory (routing.ts). */
export class RoutingService {
  constructor(
    private readonly threadSendersOf: ThreadSenders,
    private readonly geo: GeoService,
    private readonly groups: GroupService,
    private readonly contacts: ContactService,
    private readonly memberships: MembershipService,
  ) {}

  async loadRoutingContext(groupId: number): Promise<RoutingContext> {
    const ctx = (await this.loadRoutingContexts([groupId])).get(groupId);
    if (!ctx) throw new Error(`subscription group ${groupId} does not exist`);
    return ctx;
  }

  /**
   * The routing contexts of many groups, read now in one round of queries at once (a group's
   * account, which never changes, comes from memory): the send queue's re-check.
   */
  async loadRoutingContexts(groupIds: readonly number[]): Promise<Map<number, RoutingContext>> {
    const ids = [...new Set(groupIds)];
    const accountOf = await this.groups.accountIdsOf(ids);
    const [groups, policies] = await Promise.all([this.groups.withActiveSenders(ids), this.geo.loadSendPolicies([...new Set(accountOf.values())])]);
    const contexts = new Map<number, RoutingContext>();
    for (const { group, senders } of groups) {
      const policy = policies.get(group.accountId);
      if (!policy) continue;
      contexts.set(group.id, { group, policy, senders, homeCountry: policy.homeCountry });
    }
    return contexts;
  }

  /**
   * contactId -> the senders of this group it has conversations with, the most recently active
   * first. Removed senders may be listed; decideRoute only picks senders of the context.
   */
  stickySenders(groupId: number, contactIds: readonly number[]): Promise<Map<number, number[]>> {
    return this.threadSendersOf(groupId, contactIds);
  }

  /** The `route` query: the same decision a campaign message to this number would get. */
  async route(principal: Principal, rawGroupId: string, rawPhone: string): Promise<Route> {
    const group = await this.groups.requireVisible(principal, rawGroupId);
    const ctx = await this.loadRoutingContext(group.id);
    const phone = parsePhone(rawPhone, ctx.homeCountry);
    const contact = phone.valid ? await this.contacts.findByPhone(group.accountId, phone.e164) : null;
    const membership = contact ? await this.memberships.statusOf(group.id, contact.id) : null;
    const sticky = contact ? (await this.stickySenders(group.id, [contact.id])).get(contact.id) : undefined;
    const decision = decideRoute(ctx, { phone, membership, stickySenderIds: sticky });
    const route = new Route();
    route.phoneNumber = phone.valid ? phone.e164 : rawPhone;
    route.country = phone.valid ? phone.country : null;
    route.allowed = decision.allowed;
    route.sender = decision.allowed ? decision.sender : null;
    route.error = decision.allowed ? null : decision.error;
    return route;
  }
}
