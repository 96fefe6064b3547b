import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { Campaign } from '../campaigns/campaign.entity';
import type { CampaignService } from '../campaigns/campaign.service';
import { principalOf, type Context } from '../core/auth';
import { SubscriptionGroup } from '../groups/subscription-group.entity';
import { CampaignEstimate, FrequencyCap, FrequencyCapInput, SendingHours } from './compliance.types';
import type { FrequencyCapService } from './frequency-caps.service';
import type { LawBook } from './legal-window';
import { explainSendingHours } from './sending-hours';

@Resolver()
export class ComplianceResolver {
  constructor(
    private readonly law: LawBook,
    private readonly caps: FrequencyCapService,
  ) {}

  @Query(() => SendingHours, { description: "The hours the law allows campaign messages to this number (at `at`, default now), the rules they come from, and the law's caps." })
  sendingHours(@Arg('phoneNumber') phoneNumber: string, @Arg('at', () => Date, { nullable: true }) at: Date | null): SendingHours {
    return explainSendingHours(this.law, phoneNumber, at ?? new Date());
  }

  @Mutation(() => [FrequencyCap], { description: "Replaces the account's frequency caps on its campaign messages (several rules, all of which hold; [] removes them). The law's caps hold besides." })
  setAccountFrequencyCaps(@Arg('accountId', () => ID) accountId: string, @Arg('caps', () => [FrequencyCapInput]) caps: FrequencyCapInput[], @Ctx() ctx: Context): Promise<FrequencyCap[]> {
    return this.caps.setForAccount(principalOf(ctx), accountId, caps);
  }

  @Mutation(() => [FrequencyCap], { description: "Replaces the group's frequency caps on its campaigns' messages; the account's and the law's hold besides." })
  setGroupFrequencyCaps(@Arg('groupId', () => ID) groupId: string, @Arg('caps', () => [FrequencyCapInput]) caps: FrequencyCapInput[], @Ctx() ctx: Context): Promise<FrequencyCap[]> {
    return this.caps.setForGroup(principalOf(ctx), groupId, caps);
  }
}

@Resolver(() => Account)
export class AccountCapsResolver {
  constructor(private readonly caps: FrequencyCapService) {}

  @FieldResolver(() => [FrequencyCap], { description: "The account's own frequency caps (the law's hold besides: see sendingHours)." })
  frequencyCaps(@Root() account: Account): Promise<FrequencyCap[]> {
    return this.caps.rulesOf(account.id, null);
  }
}

@Resolver(() => SubscriptionGroup)
export class GroupCapsResolver {
  constructor(private readonly caps: FrequencyCapService) {}

  @FieldResolver(() => [FrequencyCap], { description: "The group's frequency caps." })
  frequencyCaps(@Root() group: SubscriptionGroup): Promise<FrequencyCap[]> {
    return this.caps.rulesOf(group.accountId, group.id);
  }
}

@Resolver(() => Campaign)
export class CampaignEstimateResolver {
  constructor(private readonly campaigns: CampaignService) {}

  @FieldResolver(() => Date, { nullable: true, description: "When the last queued message is planned to leave, at the senders' rates and within the send windows; null when none is queued." })
  async estimatedCompletion(@Root() campaign: Campaign): Promise<Date | null> {
    return (await this.estimate(campaign)).estimatedCompletion;
  }

  @FieldResolver(() => CampaignEstimate, { description: 'Whether the queued messages can all leave before the validity period runs out.' })
  async estimate(@Root() campaign: Campaign): Promise<CampaignEstimate> {
    const { last, after } = await this.campaigns.queuedHorizon(campaign);
    const expiresAt = campaign.validitySeconds && campaign.launchedAt ? new Date(campaign.launchedAt.getTime() + campaign.validitySeconds * 1000) : null;
    return { estimatedCompletion: last, expiresAt, unreachableBeforeExpiry: after, reachableBeforeExpiry: after === 0 };
  }
}
