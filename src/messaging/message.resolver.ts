import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Contact } from '../contacts/contact.entity';
import { principalOf, type Context } from '../core/auth';
import { decode } from '../core/ids';
import { Sender } from '../groups/sender.entity';
import { channelOf } from '../core/tenancy';
import { DELIVERY_TOPIC, mayReceiveDelivery, toDeliveryEvent, type DeliveryEventPayload } from './delivery-events';
import { Message, MessageDirection, MessageStatus } from './message.entity';
import type { MessageService } from './message.service';
import { DeliveryEvent, MessageConnection } from './message.types';

@Resolver(() => Message)
export class MessageResolver {
  constructor(
    private readonly messageService: MessageService,
  ) {}

  @Query(() => Message, { nullable: true })
  message(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Message | null> {
    return this.messageService.getVisible(principalOf(ctx), id);
  }

  @Query(() => MessageConnection, { description: 'The message log, newest first.' })
  messages(
    @Ctx() ctx: Context,
    @Arg('direction', () => MessageDirection, { nullable: true }) direction: MessageDirection | null,
    @Arg('status', () => MessageStatus, { nullable: true }) status: MessageStatus | null,
    @Arg('campaignId', () => ID, { nullable: true }) campaignId: string | null,
    @Arg('accountId', () => ID, { nullable: true }) accountId: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<MessageConnection> {
    // A malformed campaign id names no campaign: an empty log, not an error.
    const campaign = campaignId === null || campaignId === undefined ? null : (decode('cmp', campaignId) ?? -1);
    return this.messageService.log(principalOf(ctx), { direction, status, campaignId: campaign, accountId, first, after });
  }

  @FieldResolver(() => Sender, { nullable: true })
  sender(@Root() message: Message, @Ctx() ctx: Context): Promise<Sender | null> | null {
    return message.senderId === null ? null : ctx.loaders.senderById.load(message.senderId);
  }

  @FieldResolver(() => Contact, { nullable: true })
  contact(@Root() message: Message, @Ctx() ctx: Context): Promise<Contact | null> | null {
    return message.contactId === null ? null : ctx.loaders.contactById.load(message.contactId);
  }

  @Subscription(() => DeliveryEvent, {
    description: 'Status changes of outbound messages the caller may see, optionally narrowed.',
    topics: DELIVERY_TOPIC,
    topicId: ({ context }) => channelOf(principalOf(context)),
    filter: ({ payload, args, context }) => wantsDelivery(principalOf(context), payload as DeliveryEventPayload, args as DeliveryArgs),
  })
  deliveryEvents(
    @Root() payload: DeliveryEventPayload,
    @Arg('campaignId', () => ID, { nullable: true }) _campaignId: string | null,
    @Arg('conversationId', () => ID, { nullable: true }) _conversationId: string | null,
  ): DeliveryEvent {
    return toDeliveryEvent(payload);
  }
}

interface DeliveryArgs {
  campaignId?: string | null;
  conversationId?: string | null;
}

function wantsDelivery(principal: Parameters<typeof mayReceiveDelivery>[0], payload: DeliveryEventPayload, args: DeliveryArgs): boolean {
  if (!mayReceiveDelivery(principal, payload)) return false;
  if (args.campaignId !== null && args.campaignId !== undefined && decode('cmp', args.campaignId) !== payload.message.campaignId) return false;
  if (args.conversationId !== null && args.conversationId !== undefined && decode('cnv', args.conversationId) !== payload.message.conversationId) return false;
  return true;
}
