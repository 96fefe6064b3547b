import type { DataSource, EntityManager } from 'typeorm';
import { checkAttributes, checkContactFields } from '../contacts/contact-fields';
import type { ContactFields, ContactService } from '../contacts/contact.service';
import type { MembershipService } from '../contacts/membership.service';
import type { Principal } from '../core/auth';
import { parsePhone } from '../core/phone';
import type { SendError } from '../core/send-error';
import type { GroupService } from '../groups/group.service';
import { decideRoute } from '../routing/routing';
import type { RoutingService } from '../routing/routing.service';
import { checkIdempotencyKey, requestHash, type IdempotencyKeys, type IdempotentResult } from './idempotency';
import type { IdempotencyKey } from './idempotency-key.entity';
import type { Message } from './message.entity';
import type { MessageRepository } from './message.repository';
import type { OutboundService } from './outbound.service';
import { SendMessagePayload, type SendMessageInput } from './send-message.types';

/** The body template of campaigns (campaigns' template.ts), given here since campaigns depends on messaging. */
export interface BodyTemplate {
  validate(body: string): void;
  render(body: string, contact: { firstName: string | null; lastName: string | null; phoneNumber: string; attributes: Record<string, unknown> | null }): string;
}

/** Threads an outbound message into the contact's conversation with its sender, where there is one (conversations' own). */
export interface OutboundThreads {
  conversationOf(contactId: number, senderId: number): Promise<number | null>;
  recordOutbound(conversationId: number, message: Message): Promise<void>;
}


/**
 * sendMessage: one transactional message to a number through a group, routed and refused by
 * the same decision as every message (decideRoute, again at hand-over), queued on the same
 * send queue, and safe to retry with an idempotency key.
 */
export class SendMessageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessageRepository,
    private readonly groups: GroupService,
    private readonly routing: RoutingService,
    private readonly contacts: ContactService,
    private readonly memberships: MembershipService,
    private readonly outbound: OutboundService,
    private readonly threads: OutboundThreads,
    private readonly template: BodyTemplate,
    private readonly keys: IdempotencyKeys,
  ) {}

  async sendMessage(principal: Principal, input: SendMessageInput): Promise<SendMessagePayload> {
    const key = input.idempotencyKey ?? null;
    if (key !== null) checkIdempotencyKey(key);
    checkContactFields(input.contact ?? {}, 'contact');
    checkAttributes(input.variables, 'variables');
    this.template.validate(input.body);
    const group = await this.groups.requireVisible(principal, input.groupId, 'groupId');
    const ctx = await this.routing.loadRoutingContext(group.id);
    const phone = parsePhone(input.to, ctx.homeCountry);
    const normalised = {
      groupId: group.id,
      to: phone.valid ? phone.e164 : input.to.trim(),
      body: input.body,
      contact: { firstName: input.contact?.firstName ?? null, lastName: input.contact?.lastName ?? null, attributes: input.contact?.attributes ?? null },
      variables: input.variables ?? null,
    };
    let claimed: IdempotencyKey | null = null;
    if (key !== null) {
      const claim = await this.keys.claim(principal.kind === 'account' ? principal.accountId : group.accountId, key, requestHash(normalised));
      if (claim.kind === 'replay') return this.answer(claim.result, true);
      claimed = claim.row;
    }
    try {
      // The answer the decision gives now; the hand-over guard asks it again before the message leaves.
      const existing = phone.valid ? await this.contacts.findByPhone(group.accountId, phone.e164) : null;
      const [membership, sticky] = existing
        ? await Promise.all([this.memberships.statusOf(group.id, existing.id), this.routing.stickySenders(group.id, [existing.id])])
        : [null, null];
      const body = this.template.render(input.body, {
        firstName: normalised.contact.firstName ?? existing?.firstName ?? null,
        lastName: normalised.contact.lastName ?? existing?.lastName ?? null,
        phoneNumber: normalised.to,
        attributes: { ...(existing?.attributes ?? {}), ...(normalised.contact.attributes ?? {}), ...(normalised.variables ?? {}) },
      });
      const decision = decideRoute(ctx, { phone, membership, stickySenderIds: existing ? sticky?.get(existing.id) : undefined }, { body });
      if (!decision.allowed) return await this.refuse(claimed, decision.error);
      const contact = await this.contacts.findOrCreateWithFields(group.accountId, phone, input.contact as ContactFields | null);
      const conversationId = await this.threads.conversationOf(contact.id, decision.sender.id);
      const message = await this.dataSource.transaction(async (manager) => {
        const queued = await this.outbound.enqueueSingle({
          accountId: group.accountId, senderId: decision.sender.id, from: decision.sender.value, to: phone.e164, body,
          contactId: contact.id, conversationId, country: phone.country, transactional: true,
        }, manager);
        if (claimed) await this.keys.complete(manager, claimed, { messageId: queued.id, refusal: null });
        return queued;
      });
      this.outbound.wake();
      if (conversationId !== null) await this.threads.recordOutbound(conversationId, message);
      return this.answer({ messageId: message.id, refusal: null }, false, message);
    } catch (error) {
      if (claimed) await this.keys.release(claimed).catch(() => undefined);
      throw error;
    }
  }

  private async refuse(claimed: IdempotencyKey | null, error: SendError): Promise<SendMessagePayload> {
    if (claimed) await this.dataSource.transaction((manager: EntityManager) => this.keys.complete(manager, claimed, { messageId: null, refusal: error }));
    return this.answer({ messageId: null, refusal: error }, false);
  }

  private async answer(result: IdempotentResult, replayed: boolean, message?: Message): Promise<SendMessagePayload> {
    const payload = new SendMessagePayload();
    payload.replayed = replayed;
    payload.error = result.refusal;
    payload.message = result.messageId === null ? null : message ?? (await this.messages.byId(result.messageId));
    return payload;
  }
}

