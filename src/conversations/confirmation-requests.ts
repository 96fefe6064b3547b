import type { ContactService } from '../contacts/contact.service';
import type { ConfirmationChannel } from '../contacts/double-opt-in';
import { SubscriptionStatus } from '../contacts/membership.entity';
import { parsePhone } from '../core/phone';
import { sendError, SendErrorCode } from '../core/send-error';
import type { SubscriptionGroup } from '../groups/subscription-group.entity';
import { decideRoute } from '../routing/routing';
import type { RoutingService } from '../routing/routing.service';
import type { ConversationService } from './conversation.service';
import { sendRefused, type ReplyService } from './reply.service';

/**
 * Double opt-in requests leave as keyword replies do: routed by decideRoute (exempt from the
 * consent check, as keyword answers are), queued on the send path, in a conversation of their
 * own so that the contact's YES threads into it. The sender must be two-way: a request that
 * cannot be answered is refused (NO_ELIGIBLE_SENDER).
 */
export class ConfirmationRequests implements ConfirmationChannel {
  constructor(
    private readonly contacts: ContactService,
    private readonly routing: RoutingService,
    private readonly conversations: ConversationService,
    private readonly replies: ReplyService,
  ) {}

  async sendConfirmationRequest(group: SubscriptionGroup, contactId: number, body: string): Promise<void> {
    const contact = await this.contacts.findById(contactId);
    if (!contact) throw new Error(`contact ${contactId} not found for a confirmation request`);
    const ctx = await this.routing.loadRoutingContext(group.id);
    const threads = (await this.routing.stickySenders(group.id, [contactId])).get(contactId) ?? [];
    // Two-way senders first, those the contact already writes with before the others.
    const twoWay = ctx.senders.filter((s) => s.twoWay).map((s) => s.id);
    const preferred = [...threads.filter((id) => twoWay.includes(id)), ...twoWay.filter((id) => !threads.includes(id))];
    const phone = parsePhone(contact.phoneNumber);
    const decision = decideRoute(ctx, { phone, membership: SubscriptionStatus.PENDING, stickySenderIds: preferred }, { body, skipOptOutCheck: true });
    if (!decision.allowed) throw sendRefused(decision.error);
    if (!decision.sender.twoWay) {
      throw sendRefused(sendError(SendErrorCode.NO_ELIGIBLE_SENDER, `no two-way sender of the group may send to ${phone.e164}: a confirmation request must be answerable`));
    }
    const conversation = await this.conversations.create({ contact, sender: decision.sender });
    await this.replies.sendConsentRequest(conversation, contact, decision.sender, body);
  }
}
