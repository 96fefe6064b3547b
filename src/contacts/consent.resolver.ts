import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { principalOf, type Context } from '../core/auth';
import type { GroupService } from '../groups/group.service';
import { ConsentRecord } from './consent-record.entity';
import { ConsentRecordConnection } from './consent.types';
import { Membership } from './membership.entity';
import type { MembershipService } from './membership.service';

/** The consent ledger, read only: no mutation reaches it (records are written by the changes themselves). */
@Resolver(() => Membership)
export class ConsentResolver {
  constructor(
    private readonly memberships: MembershipService,
    private readonly groups: GroupService,
  ) {}

  @FieldResolver(() => [ConsentRecord], { description: "The member's consent ledger: every change of this membership, newest first." })
  history(@Root() member: Membership, @Ctx() ctx: Context): Promise<ConsentRecord[]> {
    return ctx.loaders.historyOfMember.load(`${member.groupId}:${member.contactId}`);
  }

  @Query(() => ConsentRecordConnection, { description: "A group's consent ledger from `since` on (all of it when null), oldest first: the export an audit asks for." })
  async consentRecords(
    @Arg('groupId', () => ID) groupId: string,
    @Arg('since', () => Date, { nullable: true }) since: Date | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<ConsentRecordConnection> {
    const group = await this.groups.requireVisible(principalOf(ctx), groupId);
    return this.memberships.consentRecords(group.id, since, first, after);
  }
}
