import { Arg, Ctx, Field, ID, InputType, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { principalOf, type Context } from '../core/auth';
import { channelOf } from '../core/tenancy';
import { BlockedPrefix } from '../geo/blocked-prefix.entity';
import { blockFromPayload, mayReceiveBlock, PREFIX_BLOCKED_TOPIC, type PrefixBlockedPayload } from './prefix-blocked-events';
import { PumpingSettings } from './pumping-settings.entity';
import type { PumpingSettingsService } from './pumping-settings';

@InputType({ description: 'Only the fields given change.' })
export class PumpingGuardSettingsInput {
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
  @Field(() => Int, { nullable: true }) windowMinutes?: number | null;
  @Field(() => Int, { nullable: true }) burstDistinctNumbers?: number | null;
  @Field(() => Int, { nullable: true }) rareBelow?: number | null;
  @Field(() => Int, { nullable: true }) baselineDays?: number | null;
  @Field(() => Int, { nullable: true }) minFinalStatuses?: number | null;
  @Field(() => Int, { nullable: true }) deliveryFloorPercent?: number | null;
}

@Resolver()
export class PumpingGuardResolver {
  constructor(private readonly settings: PumpingSettingsService) {}

  @Query(() => PumpingSettings, { description: "The pumping guard's thresholds; defaults to the caller's account." })
  pumpingGuardSettings(@Arg('accountId', () => ID, { nullable: true }) accountId: string | null, @Ctx() ctx: Context): Promise<PumpingSettings> {
    return this.settings.settingsFor(principalOf(ctx), accountId);
  }

  @Mutation(() => PumpingSettings)
  setPumpingGuardSettings(
    @Arg('accountId', () => ID) accountId: string,
    @Arg('input', () => PumpingGuardSettingsInput) input: PumpingGuardSettingsInput,
    @Ctx() ctx: Context,
  ): Promise<PumpingSettings> {
    return this.settings.update(principalOf(ctx), accountId, { ...input } as never);
  }

  @Subscription(() => BlockedPrefix, {
    description: 'Prefixes the pumping guard blocks on its own, for the accounts the caller may see.',
    topics: PREFIX_BLOCKED_TOPIC,
    topicId: ({ context }) => channelOf(principalOf(context)),
    filter: ({ payload, context }) => mayReceiveBlock(principalOf(context), payload),
  })
  prefixBlocked(@Root() payload: PrefixBlockedPayload): BlockedPrefix {
    return blockFromPayload(payload);
  }
}
