import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/auth';
import { SubscriptionGroup } from '../groups/subscription-group.entity';
import { Contact } from './contact.entity';
import { Membership } from './membership.entity';

@Resolver(() => Membership)
export class MemberResolver {
  @FieldResolver(() => Contact)
  contact(@Root() member: Membership, @Ctx() ctx: Context): Promise<Contact | null> {
    return ctx.loaders.contactById.load(member.contactId);
  }

  @FieldResolver(() => SubscriptionGroup)
  group(@Root() member: Membership, @Ctx() ctx: Context): Promise<SubscriptionGroup | null> {
    return ctx.loaders.groupById.load(member.groupId);
  }
}
