import { FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { Message } from '../messaging/message.entity';

/** What an inbound MMS carried (Twilio's NumMedia and MediaUrlN), kept with the message. */
@Resolver(() => Message)
export class MessageMediaResolver {
  @FieldResolver(() => Int, { description: 'Media items of an inbound MMS (Twilio NumMedia); 0 for SMS.' })
  numMedia(@Root() message: Message): number {
    return message.numMedia ?? 0;
  }

  @FieldResolver(() => [String], { description: 'Where Twilio holds the media of an inbound MMS (MediaUrl0, MediaUrl1, ...).' })
  mediaUrls(@Root() message: Message): string[] {
    return message.mediaUrls ?? [];
  }
}
