import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/auth';
import { Message } from '../messaging/message.entity';
import { Campaign } from './campaign.entity';

/** A message's campaign: resolved here, since campaigns know messaging and not the other way round. */
@Resolver(() => Message)
export class MessageCampaignResolver {
  @FieldResolver(() => Campaign, { nullable: true })
  campaign(@Root() message: Message, @Ctx() ctx: Context): Promise<Campaign | null> | null {
    return message.campaignId === null ? null : ctx.loaders.campaignById.load(message.campaignId);
  }
}
