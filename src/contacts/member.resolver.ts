import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/auth';
import { loadGroup } from '../groups/group.loaders';
import type { GroupService } from '../groups/group.service';
import { SubscriptionGroup } from '../groups/subscription-group.entity';
import { loadContact } from './contact.loaders';
import { Contact } from './contact.entity';
import type { ContactService } from './contact.service';
import { Membership } from './membership.entity';

@Resolver(() => Membership)
export class MemberResolver {
  constructor(
    private readonly contacts: ContactService,
    private readonly groups: GroupService,
  ) {}

  @FieldResolver(() => Contact)
  async contact(@Root() member: Membership, @Ctx() ctx: Context): Promise<Contact> {
    return (await loadContact(ctx, this.contacts, member.contactId))!;
  }

  @FieldResolver(() => SubscriptionGroup)
  async group(@Root() member: Membership, @Ctx() ctx: Context): Promise<SubscriptionGroup> {
    return (await loadGroup(ctx, this.groups, member.groupId))!;
  }
}
