import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { principalOf, type Context } from '../core/auth';
import { CreateSubscriptionGroupInput, UpdateSubscriptionGroupInput } from './group.inputs';
import { countriesServed, type GroupService } from './group.service';
import { KeywordCategory, KeywordSet } from './keyword-set.entity';
import type { KeywordService } from './keyword.service';
import { Sender } from './sender.entity';
import { SubscriptionGroup } from './subscription-group.entity';

@Resolver(() => SubscriptionGroup)
export class GroupResolver {
  constructor(
    private readonly groups: GroupService,
    private readonly keywordService: KeywordService,
  ) {}

  @Query(() => [SubscriptionGroup], { description: "Defaults to the caller's account." })
  subscriptionGroups(@Arg('accountId', () => ID, { nullable: true }) accountId: string | null, @Ctx() ctx: Context): Promise<SubscriptionGroup[]> {
    return this.groups.list(principalOf(ctx), accountId);
  }

  @Query(() => SubscriptionGroup, { nullable: true })
  subscriptionGroup(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SubscriptionGroup | null> {
    return this.groups.getVisible(principalOf(ctx), id);
  }

  @Mutation(() => SubscriptionGroup)
  createSubscriptionGroup(@Arg('input', () => CreateSubscriptionGroupInput) input: CreateSubscriptionGroupInput, @Ctx() ctx: Context): Promise<SubscriptionGroup> {
    return this.groups.create(principalOf(ctx), input);
  }

  @Mutation(() => SubscriptionGroup)
  updateSubscriptionGroup(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateSubscriptionGroupInput) input: UpdateSubscriptionGroupInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionGroup> {
    return this.groups.update(principalOf(ctx), id, input);
  }

  @Mutation(() => SubscriptionGroup)
  async setKeywords(
    @Arg('groupId', () => ID) groupId: string,
    @Arg('category', () => KeywordCategory) category: KeywordCategory,
    @Arg('keywords', () => [String]) keywords: string[],
    @Arg('reply', () => String, { nullable: true }) reply: string | null,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionGroup> {
    const group = await this.groups.requireVisible(principalOf(ctx), groupId);
    await this.keywordService.setKeywords(group.id, category, keywords, reply);
    return group;
  }

  @FieldResolver(() => Account)
  account(@Root() group: SubscriptionGroup, @Ctx() ctx: Context): Promise<Account | null> {
    return ctx.loaders.accountById.load(group.accountId);
  }

  @FieldResolver(() => [Sender])
  senders(@Root() group: SubscriptionGroup, @Ctx() ctx: Context): Promise<Sender[]> {
    return ctx.loaders.sendersOfGroup.load(group.id);
  }

  @FieldResolver(() => [String], { description: "Regions covered by at least one sender, sorted." })
  async countries(@Root() group: SubscriptionGroup, @Ctx() ctx: Context): Promise<string[]> {
    return countriesServed(await ctx.loaders.sendersOfGroup.load(group.id));
  }

  @FieldResolver(() => [KeywordSet])
  keywords(@Root() group: SubscriptionGroup, @Ctx() ctx: Context): Promise<KeywordSet[]> {
    return ctx.loaders.keywordSetsOfGroup.load(group.id);
  }
}
