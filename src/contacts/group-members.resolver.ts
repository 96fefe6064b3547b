import { Arg, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { SubscriptionGroup } from '../groups/subscription-group.entity';
import { SubscriptionStatus } from './membership.entity';
import type { MembershipService } from './membership.service';
import { MemberConnection } from './member.types';

/** A group's members: resolved here, since memberships (contacts) know groups and not the other way round. */
@Resolver(() => SubscriptionGroup)
export class GroupMembersResolver {
  constructor(private readonly memberships: MembershipService) {}

  @FieldResolver(() => Int)
  memberCount(@Root() group: SubscriptionGroup, @Arg('status', () => SubscriptionStatus, { nullable: true }) status: SubscriptionStatus | null): Promise<number> {
    return this.memberships.memberCount(group.id, status);
  }

  @FieldResolver(() => MemberConnection)
  members(
    @Root() group: SubscriptionGroup,
    @Arg('status', () => SubscriptionStatus, { nullable: true }) status: SubscriptionStatus | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<MemberConnection> {
    return this.memberships.members(group.id, status, first, after);
  }
}
