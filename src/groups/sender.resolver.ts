import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { principalOf, type Context } from '../core/auth';
import { SenderInput } from './group.inputs';
import { Sender } from './sender.entity';
import type { SenderService } from './sender.service';
import { SubscriptionGroup } from './subscription-group.entity';

@Resolver(() => Sender)
export class SenderResolver {
  constructor(
    private readonly senders: SenderService,
  ) {}

  @Mutation(() => Sender)
  addSender(@Arg('groupId', () => ID) groupId: string, @Arg('input', () => SenderInput) input: SenderInput, @Ctx() ctx: Context): Promise<Sender> {
    return this.senders.add(principalOf(ctx), groupId, input);
  }

  @Mutation(() => Boolean)
  removeSender(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return this.senders.remove(principalOf(ctx), id);
  }

  @FieldResolver(() => SubscriptionGroup)
  group(@Root() sender: Sender, @Ctx() ctx: Context): Promise<SubscriptionGroup | null> {
    return ctx.loaders.groupById.load(sender.groupId);
  }
}
