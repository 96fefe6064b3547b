import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/auth';
import { Campaign } from './campaign.entity';
import { PlanningStatus } from './campaign-plan.entity';

/** A campaign's planning, read from its plan row (one query per page of campaigns). */
@Resolver(() => Campaign)
export class CampaignPlanResolver {
  @FieldResolver(() => PlanningStatus, { nullable: true, description: 'Where the planning of its messages stands: launchCampaign answers at once and plans the rest in the background. Null before launch.' })
  async planningStatus(@Root() campaign: Campaign, @Ctx() ctx: Context): Promise<PlanningStatus | null> {
    return (await ctx.loaders.planOfCampaign.load(campaign.id))?.status ?? null;
  }

  @FieldResolver(() => Int, { description: 'Recipients whose message is stored (queued or rejected) so far.' })
  async planned(@Root() campaign: Campaign, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.planOfCampaign.load(campaign.id))?.planned ?? 0;
  }

  @FieldResolver(() => Int, { nullable: true, description: "The group's SUBSCRIBED members at launch: the total the planning works through. Null before launch." })
  async audience(@Root() campaign: Campaign, @Ctx() ctx: Context): Promise<number | null> {
    return (await ctx.loaders.planOfCampaign.load(campaign.id))?.audience ?? null;
  }
}
