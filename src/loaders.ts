import DataLoader from 'dataloader';
import type { Account } from './accounts/account.entity';
import type { Campaign } from './campaigns/campaign.entity';
import type { CampaignPlan } from './campaigns/campaign-plan.entity';
import type { Contact } from './contacts/contact.entity';
import { byIdLoader, type LoaderOptions } from './core/loaders';
import type { Conversation } from './conversations/conversation.entity';
import type { Sender } from './groups/sender.entity';
import type { SubscriptionGroup } from './groups/subscription-group.entity';
import type { Message } from './messaging/message.entity';
import type { Services } from './services';

/** Every relation field resolvers load, each batched from its own domain's service; made per request (see server.ts). */
export class Loaders {
  readonly accountById: DataLoader<number, Account | null>;
  readonly groupById: DataLoader<number, SubscriptionGroup | null>;
  readonly senderById: DataLoader<number, Sender | null>;
  readonly contactById: DataLoader<number, Contact | null>;
  readonly campaignById: DataLoader<number, Campaign | null>;
  readonly conversationById: DataLoader<number, Conversation | null>;
  /** The newest message of each thread, whatever the thread's lastMessageId says. */
  readonly lastMessageOf: DataLoader<Conversation, Message | null>;
  /** A launched campaign's planning, by campaign id. */
  readonly planOfCampaign: DataLoader<number, CampaignPlan | null>;

  constructor(services: Services, options: LoaderOptions) {
    this.accountById = byIdLoader((ids) => services.accounts.findByIds(ids), options);
    this.groupById = byIdLoader((ids) => services.groups.findByIds(ids), options);
    this.senderById = byIdLoader((ids) => services.senders.findByIds(ids), options);
    this.contactById = byIdLoader((ids) => services.contacts.findByIds(ids), options);
    this.campaignById = byIdLoader((ids) => services.campaigns.findByIds(ids), options);
    this.conversationById = byIdLoader((ids) => services.conversations.findByIds(ids), options);
    this.lastMessageOf = new DataLoader((conversations) => services.conversations.lastMessagesOf(conversations), options);
    this.planOfCampaign = new DataLoader(async (ids) => {
      const plans = new Map((await services.campaigns.plansOf(ids)).map((plan) => [plan.campaignId, plan]));
      return ids.map((id) => plans.get(id) ?? null);
    }, options);
  }
}

declare module './core/loaders' {
  interface RequestLoaders extends Loaders {}
}
