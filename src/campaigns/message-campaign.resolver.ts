import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/auth';
import { alignById } from '../core/loaders';
import { Message } from '../messaging/message.entity';
import { Campaign } from './campaign.entity';
import type { CampaignService } from './campaign.service';

/** A message's campaign: resolved here, since campaigns know messaging and not the other way round. */
@Resolver(() => Message)
export class MessageCampaignResolver {
  constructor(private readonly campaigns: CampaignService) {}

  @FieldResolver(() => Campaign, { nullable: true })
  campaign(@Root() message: Message, @Ctx() ctx: Context): Promise<Campaign | null> | null {
    if (message.campaignId === null) return null;
    if (!ctx.loaders) return this.campaigns.findById(message.campaignId);
    return ctx.loaders.get<number, Campaign | null>('campaign', async (ids) => alignById(ids, await this.campaigns.findByIds(ids))).load(message.campaignId);
  }
}
