import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { principalOf, type Context } from '../core/auth';
import { decode } from '../core/ids';
import { SubscriptionGroup } from '../groups/subscription-group.entity';
import { channelOf } from '../core/tenancy';
import { MessageStatus } from '../messaging/message.entity';
import type { MessageService } from '../messaging/message.service';
import { MessageConnection } from '../messaging/message.types';
import { Campaign, CampaignStatus } from './campaign.entity';
import { CreateCampaignInput } from './campaign.inputs';
import { mayReceiveProgress, PROGRESS_TOPIC, type ProgressPayload } from './campaign-progress';
import type { CampaignService } from './campaign.service';
import { CampaignConnection, CampaignStats, SendWindow } from './campaign.types';

@Resolver(() => Campaign)
export class CampaignResolver {
  constructor(
    private readonly campaignService: CampaignService,
    private readonly messageService: MessageService,
  ) {}

  @Query(() => CampaignConnection)
  campaigns(
    @Ctx() ctx: Context,
    @Arg('status', () => CampaignStatus, { nullable: true }) status: CampaignStatus | null,
    @Arg('accountId', () => ID, { nullable: true }) accountId: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<CampaignConnection> {
    return this.campaignService.list(principalOf(ctx), { status, accountId, first, after });
  }

  @Query(() => Campaign, { nullable: true })
  campaign(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Campaign | null> {
    return this.campaignService.getVisible(principalOf(ctx), id);
  }

  @Mutation(() => Campaign)
  createCampaign(@Arg('input', () => CreateCampaignInput) input: CreateCampaignInput, @Ctx() ctx: Context): Promise<Campaign> {
    return this.campaignService.create(principalOf(ctx), input);
  }

  @Mutation(() => Campaign)
  launchCampaign(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Campaign> {
    return this.campaignService.launch(principalOf(ctx), id);
  }

  @Mutation(() => Campaign)
  scheduleCampaign(@Arg('id', () => ID) id: string, @Arg('at', () => Date) at: Date, @Ctx() ctx: Context): Promise<Campaign> {
    return this.campaignService.schedule(principalOf(ctx), id, at);
  }

  @Mutation(() => Campaign)
  cancelCampaign(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Campaign> {
    return this.campaignService.cancel(principalOf(ctx), id);
  }

  @FieldResolver(() => Account)
  account(@Root() campaign: Campaign, @Ctx() ctx: Context): Promise<Account | null> {
    return ctx.loaders.accountById.load(campaign.accountId);
  }

  @FieldResolver(() => SubscriptionGroup)
  group(@Root() campaign: Campaign, @Ctx() ctx: Context): Promise<SubscriptionGroup | null> {
    return ctx.loaders.groupById.load(campaign.groupId);
  }

  @FieldResolver(() => SendWindow, { nullable: true, description: "Messages falling outside it wait for its next opening, in each recipient's local time." })
  sendWindow(@Root() campaign: Campaign): SendWindow | null {
    if (!campaign.sendWindowStart || !campaign.sendWindowEnd) return null;
    return Object.assign(new SendWindow(), { start: campaign.sendWindowStart, end: campaign.sendWindowEnd });
  }

  @FieldResolver(() => CampaignStats)
  stats(@Root() campaign: Campaign, @Ctx() ctx: Context): Promise<CampaignStats> {
    return ctx.loaders.statsOfCampaign.load(campaign.id);
  }

  @FieldResolver(() => MessageConnection)
  messages(
    @Root() campaign: Campaign,
    @Arg('status', () => MessageStatus, { nullable: true }) status: MessageStatus | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<MessageConnection> {
    return this.messageService.campaignMessages(campaign.id, status, first, after);
  }

  @Subscription(() => CampaignStats, {
    description: "The campaign's stats each time they change, at most a few times a second.",
    topics: PROGRESS_TOPIC,
    topicId: ({ context }) => channelOf(principalOf(context)),
    filter: ({ payload, args, context }) => {
      const progress = payload as ProgressPayload;
      return decode('cmp', String(args.campaignId)) === progress.campaignId && mayReceiveProgress(principalOf(context), progress);
    },
  })
  campaignProgress(@Root() payload: ProgressPayload, @Arg('campaignId', () => ID) _campaignId: string): CampaignStats {
    return Object.assign(new CampaignStats(), payload.stats);
  }
}
