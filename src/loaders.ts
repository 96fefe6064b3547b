import DataLoader from 'dataloader';
import type { Account } from './accounts/account.entity';
import type { Campaign } from './campaigns/campaign.entity';
import type { CampaignPlan } from './campaigns/campaign-plan.entity';
import type { CampaignStats } from './campaigns/campaign.types';
import type { Contact } from './contacts/contact.entity';
import type { ConsentRecord } from './contacts/consent-record.entity';
import type { Membership } from './contacts/membership.entity';
import type { ApiKey } from './accounts/api-key.entity';
import type { KeywordSet } from './groups/keyword-set.entity';
import { byIdLoader, byParentLoader, type LoaderOptions } from './core/loaders';
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
  /** A campaign's stats, by campaign id: a page of campaigns counts them in the statements of one. */
  readonly statsOfCampaign: DataLoader<number, CampaignStats>;
  /** A group's senders still in service (and so the regions it covers). */
  readonly sendersOfGroup: DataLoader<number, Sender[]>;
  readonly keywordSetsOfGroup: DataLoader<number, KeywordSet[]>;
  readonly membershipsOfContact: DataLoader<number, Membership[]>;
  /** A master's subaccounts, whoever asks: the resolver asks the accounts service who may see them. */
  readonly subaccountsOf: DataLoader<number, Account[]>;
  readonly apiKeysOf: DataLoader<number, ApiKey[]>;
  /** A membership's consent records, newest first, by `${groupId}:${contactId}`. */
  readonly historyOfMember: DataLoader<string, ConsentRecord[]>;

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
    this.statsOfCampaign = new DataLoader((ids) => services.campaignStats.statsOfCampaigns(ids), options);
    this.sendersOfGroup = byParentLoader((ids) => services.senders.activeSendersOfGroups(ids), (s) => s.groupId, options);
    this.keywordSetsOfGroup = byParentLoader((ids) => services.keywords.keywordSetsOfGroups(ids), (k) => k.groupId, options);
    this.membershipsOfContact = byParentLoader((ids) => services.memberships.membershipsOfContacts(ids), (m) => m.contactId, options);
    this.subaccountsOf = byParentLoader((ids) => services.accounts.subaccountsOfMany(ids), (a) => a.parentId!, options);
    this.apiKeysOf = byParentLoader((ids) => services.apiKeys.listForAccounts(ids), (k) => k.accountId, options);
    this.historyOfMember = byParentLoader(async (keys) => {
      const contactsByGroup = new Map<number, number[]>();
      for (const key of keys) {
        const [groupId, contactId] = key.split(':').map(Number);
        contactsByGroup.set(groupId, [...(contactsByGroup.get(groupId) ?? []), contactId]);
      }
      return (await Promise.all([...contactsByGroup].map(([groupId, contactIds]) => services.memberships.consentHistoriesOf(groupId, contactIds)))).flat();
    }, (r) => `${r.groupId}:${r.contactId}`, options);
  }
}

declare module './core/loaders' {
  interface RequestLoaders extends Loaders {}
}
