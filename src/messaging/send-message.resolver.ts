import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { principalOf, type Context } from '../core/auth';
import type { SendMessageService } from './send-message.service';
import { SendMessageInput, SendMessagePayload } from './send-message.types';

@Resolver()
export class SendMessageResolver {
  constructor(private readonly sends: SendMessageService) {}

  @Mutation(() => SendMessagePayload, {
    description: 'A one-off (transactional) message to a number through a group, with the same routing and checks as every message. A refusal is `error` in the answer.',
  })
  sendMessage(@Arg('input', () => SendMessageInput) input: SendMessageInput, @Ctx() ctx: Context): Promise<SendMessagePayload> {
    return this.sends.sendMessage(principalOf(ctx), input);
  }
}
