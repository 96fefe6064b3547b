import type { NonEmptyArray } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { AccountResolver } from './accounts/account.resolver';
import { AccountRepository } from './accounts/account.repository';
import { AccountService } from './accounts/account.service';
import { ApiKeyRepository } from './accounts/api-key.repository';
import { ApiKeyService } from './accounts/api-key.service';
import type { Config } from './config';
import type { EventBus } from './core/pubsub';
import type { Logger } from './core/logger';
import type { Metrics } from './core/metrics';
import { AccountGeoResolver } from './geo/account-geo.resolver';
import { GeoResolver } from './geo/geo.resolver';
import { BlockedPrefixRepository } from './geo/blocked-prefix.repository';
import { SendRulesRepository } from './geo/send-rules.repository';
import { GeoPermissionRepository } from './geo/geo-permission.repository';
import { grantInitialRegions } from './geo/initial-regions';
import { GeoService } from './geo/geo.service';
import { ContactRepository } from './contacts/contact.repository';
import { ContactService } from './contacts/contact.service';
import { MembershipRepository } from './contacts/membership.repository';
import { MembershipService } from './contacts/membership.service';
import { GroupService } from './groups/group.service';
import { KeywordSetRepository } from './groups/keyword-set.repository';
import { KeywordService } from './groups/keyword.service';
import { RoutingService } from './routing/routing.service';
import { SenderRepository } from './groups/sender.repository';
import { SenderService } from './groups/sender.service';
import { SubscriptionGroupRepository } from './groups/subscription-group.repository';
import { ContactImportService } from './contacts/contact-import.service';
import { ContactResolver } from './contacts/contact.resolver';
import { GroupMembersResolver } from './contacts/group-members.resolver';
import { MemberResolver } from './contacts/member.resolver';
import { GroupResolver } from './groups/group.resolver';
import { RoutingResolver } from './routing/routing.resolver';
import { SenderResolver } from './groups/sender.resolver';
import { createTwilioClient } from './carrier/twilio-client';
import { TwilioProvider } from './carrier/twilio-provider';
import { DeliveryEvents } from './messaging/delivery-events';
import { CampaignMessages } from './messaging/campaign-messages';
import { CampaignMessagesRepository } from './messaging/campaign-messages.repository';
import { EarlyStatusCallbackRepository } from './messaging/early-status-callback.repository';
import { IdempotencyKeyRepository } from './messaging/idempotency-key.repository';
import { MessageRepository } from './messaging/message.repository';
import { ContactHistoryRepository } from './messaging/contact-history.repository';
import { CarrierOptOuts } from './messaging/carrier-opt-outs';
import { Dispatcher } from './messaging/dispatcher';
import { HandOver } from './messaging/hand-over';
import { FreshHandOverState } from './messaging/hand-over-state';
import { OrphanReconciler } from './messaging/orphan-reconciler';
import { SendQueueRepository } from './messaging/send-queue.repository';
import { SenderSlots } from './messaging/sender-slots';
import { SidRecorder } from './messaging/sid-recorder';
import { StatusCallbacks } from './messaging/status-callbacks';
import { StatusRefresher } from './messaging/status-refresher';
import { LocalSenderPacer, RedisSenderPacer, type SenderPacer } from './messaging/sender-pacer';
import { OutboundService } from './messaging/outbound.service';
import { StatusService } from './messaging/status.service';
import { MessageResolver } from './messaging/message.resolver';
import { MessageService } from './messaging/message.service';
import { CampaignProgress } from './campaigns/campaign-progress';
import { CampaignResolver } from './campaigns/campaign.resolver';
import { CampaignPlanResolver } from './campaigns/campaign-plan.resolver';
import { MessageCampaignResolver } from './campaigns/message-campaign.resolver';
import { CampaignService } from './campaigns/campaign.service';
import { CampaignStatsService } from './campaigns/campaign-stats';
import { CampaignWindows } from './campaigns/campaign-windows';
import { CampaignPlanRepository } from './campaigns/campaign-plan.repository';
import { campaignNotCancelled, CampaignRepository } from './campaigns/campaign.repository';
import { CampaignWorker } from './campaigns/campaign-worker';
import { CampaignLauncher } from './campaigns/launch';
import { ConversationSendersRepository } from './conversations/conversation-senders.repository';
import { ConversationResolver } from './conversations/conversation.resolver';
import { ConversationRepository } from './conversations/conversation.repository';
import { ConversationService } from './conversations/conversation.service';
import { InboundThreadsRepository } from './conversations/inbound-threads.repository';
import { InboundContactsRepository } from './contacts/inbound-contacts.repository';
import { InboundSendersRepository } from './groups/inbound-senders.repository';
import { InboundMessagesRepository } from './messaging/inbound-messages.repository';
import { InboundService } from './conversations/inbound.service';
import { MessageConversationResolver } from './conversations/message-conversation.resolver';
import { MessageMediaResolver } from './conversations/message-media.resolver';
import { ReplyService } from './conversations/reply.service';
import { ApiKeyResolver } from './accounts/api-key.resolver';
import { renderTemplate, validateTemplate } from './campaigns/template';
import { OneOffHandOverRepository } from './fraud/one-off-hand-over.repository';
import { PumpingGuard } from './fraud/pumping-guard';
import { PumpingGuardResolver } from './fraud/pumping-guard.resolver';
import { PumpingSettingsService } from './fraud/pumping-settings';
import { PumpingSettingsRepository } from './fraud/pumping-settings.repository';
import { IdempotencyKeys } from './messaging/idempotency';
import { PrefixTraffic } from './messaging/prefix-traffic.repository';
import { SendMessageResolver } from './messaging/send-message.resolver';
import { SendMessageService } from './messaging/send-message.service';
import { encode } from './core/ids';
import { createEventWebhooks } from './event-webhooks/event-webhooks';
import { WebhookDeliveryResolver, WebhookEndpointResolver } from './event-webhooks/webhook.resolver';
import { AccountCapsResolver, CampaignEstimateResolver, ComplianceResolver, GroupCapsResolver } from './compliance/compliance.resolver';
import { FrequencyCapRepository } from './compliance/frequency-cap.repository';
import { FrequencyCapService } from './compliance/frequency-caps.service';
import { HandOverLaw } from './compliance/hand-over-law';
import { LEGAL_HOURS } from './compliance/legal-hours';
import { LawBook } from './compliance/legal-window';
import { ValiditySweeper } from './compliance/validity-sweeper';
import { ConsentRecordRepository } from './contacts/consent-record.repository';
import { ConsentResolver } from './contacts/consent.resolver';
import { DoubleOptIn } from './contacts/double-opt-in';
import { InboundConsent } from './contacts/inbound-consent';
import { SubscriptionService } from './contacts/subscription.service';
import { ConfirmationRequests } from './conversations/confirmation-requests';

/** Every service, constructed explicitly in dependency order. */
export function createServices(dataSource: DataSource, config: Config, events: EventBus, log: Logger, metrics: Metrics) {
  const accountRows = new AccountRepository(dataSource);
  const apiKeys = new ApiKeyService(new ApiKeyRepository(dataSource), accountRows, events);
  const regions = new GeoPermissionRepository(dataSource);
  const accounts = new AccountService(dataSource, accountRows, apiKeys, (manager, accountId, start) => grantInitialRegions(regions, manager, accountId, start));
  const webhooks = createEventWebhooks(dataSource, config.webhooks, accounts, events, log);
  const geo = new GeoService(dataSource, regions, new BlockedPrefixRepository(dataSource), accounts, new SendRulesRepository(dataSource));
  const keywords = new KeywordService(dataSource, new KeywordSetRepository(dataSource));
  const groups = new GroupService(dataSource, new SubscriptionGroupRepository(dataSource), accounts, keywords);
  const senders = new SenderService(new SenderRepository(dataSource), groups);
  const contactRepository = new ContactRepository(dataSource);
  const membershipRepository = new MembershipRepository(dataSource);
  const consentRecords = new ConsentRecordRepository(dataSource);
  const contacts = new ContactService(contactRepository, accounts);
  const memberships = new MembershipService(dataSource, membershipRepository, consentRecords, groups, webhooks.outbox);
  const conversationSenders = new ConversationSendersRepository(dataSource);
  const routing = new RoutingService((groupId, contactIds) => conversationSenders.threadSendersOf(groupId, contactIds), geo, groups, contacts, memberships);
  // The confirmation channel is the conversations' (made below): called only once the server runs.
  const doubleOptIn = new DoubleOptIn(membershipRepository, memberships, { sendConfirmationRequest: (...args) => confirmationRequests.sendConfirmationRequest(...args) }, config.doubleOptIn, log);
  const subscriptions = new SubscriptionService(accounts, groups, contacts, memberships, doubleOptIn);
  const contactImports = new ContactImportService(dataSource, accounts, groups, contactRepository, membershipRepository, consentRecords, doubleOptIn);
  const deliveryEvents = new DeliveryEvents(accounts, events, webhooks.outbox, log);
  const messageRows = new MessageRepository(dataSource);
  const statuses = new StatusService(dataSource, messageRows, deliveryEvents);
  const provider = new TwilioProvider(createTwilioClient({ ...config.twilio, timeoutMs: config.twilio.timeoutMs }));
  const carrierOptOuts = new CarrierOptOuts({
    senderById: (id) => senders.findById(id),
    contactIdByPhone: async (accountId, e164) => (await contacts.findByPhone(accountId, e164))?.id ?? null,
    setMembership: (groupId, contactId, status, cause) => memberships.setStatus(groupId, contactId, status, cause),
  }, log);
  const queue = new SendQueueRepository(dataSource);
  const statusCallbacks = new StatusCallbacks(messageRows, new EarlyStatusCallbackRepository(dataSource), statuses, carrierOptOuts, log);
  const sids = new SidRecorder(queue, statuses, deliveryEvents, log, (stored) => statusCallbacks.applyEarly(stored));
  const reconciler = new OrphanReconciler(queue, provider, sids, statuses, statusCallbacks, log);
  const handOver = new HandOver(queue, provider, `${config.publicUrl}/webhooks/twilio/status`, sids, statuses, reconciler, carrierOptOuts, log, metrics);
  const lawBook = new LawBook([...LEGAL_HOURS, ...config.legal.regions], config.legal.enforced);
  const frequencyCaps = new FrequencyCapService(new FrequencyCapRepository(dataSource), accounts, groups);
  const contactHistory = new ContactHistoryRepository(dataSource);
  const campaignRepository = new CampaignRepository(dataSource);
  const campaignPlans = new CampaignPlanRepository(dataSource);
  // A campaign's group is the campaigns' (made below): asked only once the server runs.
  const handOverLaw = new HandOverLaw({
    handedOverCampaignMessages: (contactIds, since) => contactHistory.handedOverCampaignMessages(contactIds, since),
    wroteInSince: (contactIds, since) => contactHistory.wroteInSince(contactIds, since),
    groupsOfCampaigns: (campaignIds): Promise<Map<number, number>> => campaigns.groupsOf(campaignIds),
  }, lawBook, frequencyCaps);
  const campaignWindows = new CampaignWindows(campaignRepository, handOverLaw);
  const guardState = new FreshHandOverState({
    senderFacts: (ids) => senders.factsOf(ids),
    routingContexts: (groupIds) => routing.loadRoutingContexts(groupIds),
    membershipStatuses: (groupId, contactIds) => memberships.statusesOf(groupId, contactIds),
    campaignVerdicts: (messages, now) => campaignWindows.judge(messages, now),
    lawVerdicts: (messages, now) => handOverLaw.lawVerdicts(messages, now),
  });
  const pumpingSettings = new PumpingSettingsService(new PumpingSettingsRepository(dataSource), accounts);
  const pumpingGuard = new PumpingGuard(new OneOffHandOverRepository(dataSource), pumpingSettings, new PrefixTraffic(dataSource), geo, accounts, events, log);
  // Written after the block is stored: a crash in between loses this event, not the block.
  pumpingGuard.onAutomaticBlock((block) => webhooks.outbox.enqueue(null, block.accountId, 'prefix.blocked', {
    id: encode('blk', block.id), account: { id: encode('acc', block.accountId) }, prefix: block.prefix, reason: block.reason, automatic: block.automatic, createdAt: new Date(block.createdAt).toISOString(),
  }));
  const dispatcher = new Dispatcher(
    {
      watch: (handedOver) => pumpingGuard.observe(handedOver),
      queue, slots: new SenderSlots((ids) => senders.findByIds(ids), senderPacer(events)), guardState, handOver, statuses, sids, reconciler, callbacks: statusCallbacks, log, metrics,
      refresher: new StatusRefresher(queue, provider, statusCallbacks, log, config.statusRefreshAfterMs),
      campaignNotCancelled,
    },
    { alone: !events.redis, orphanAfterMs: config.twilio.timeoutMs + 5000 },
  );
  const outbound = new OutboundService(messageRows, dispatcher);
  const messages = new MessageService(messageRows, accounts);
  const campaignMessageRows = new CampaignMessagesRepository(dataSource);
  const campaignMessages = new CampaignMessages(dataSource, campaignMessageRows, messageRows, deliveryEvents);
  const campaignStats = new CampaignStatsService(campaignRepository, campaignPlans, (campaignIds) => campaignMessageRows.statusCountsOf(campaignIds));
  const launcher = new CampaignLauncher(dataSource, campaignRepository, campaignPlans, memberships, routing, campaignMessages, config.launchPlanning, log, handOverLaw);
  const campaigns = new CampaignService(dataSource, campaignRepository, campaignPlans, accounts, groups, launcher, dispatcher, campaignMessages, log, webhooks.outbox);
  // Sending starts with the first chunks while later ones are still being planned.
  launcher.planner.onChunk(() => dispatcher.wake());
  const campaignWorker = new CampaignWorker(campaigns, deliveryEvents, log, launcher.planner);
  const campaignProgress = new CampaignProgress(campaigns, accounts, campaignStats, deliveryEvents, events, log, launcher.planner, metrics);
  const conversations = new ConversationService(new ConversationRepository(dataSource), accounts, groups, contacts, messages);
  const replies = new ReplyService(conversations, senders, contacts, memberships, routing, outbound);
  const confirmationRequests = new ConfirmationRequests(contacts, routing, conversations, replies);
  // The inbound look-up is one statement over four domains' tables, each writing its own part: a round trip per reply, not four.
  const inboundMessages = new InboundMessagesRepository(dataSource);
  const inboundThreads = new InboundThreadsRepository(dataSource, new InboundSendersRepository(dataSource), new InboundContactsRepository(dataSource), inboundMessages);
  const inbound = new InboundService(dataSource, inboundThreads, inboundMessages, messages, accounts, contacts, new InboundConsent(keywords, groups, memberships), conversations, replies, events, log, webhooks.outbox);
  const sendMessages = new SendMessageService(dataSource, messageRows, groups, routing, contacts, memberships, outbound,
    { conversationOf: (contactId, senderId) => conversations.idOf(contactId, senderId), recordOutbound: (id, message) => conversations.recordOutbound(id, message) },
    { validate: validateTemplate, render: renderTemplate }, new IdempotencyKeys(new IdempotencyKeyRepository(dataSource)));
  const validitySweeper = new ValiditySweeper(campaigns, log);
  return { dataSource, config, events, log, metrics, apiKeys, accounts, geo, keywords, groups, senders, contacts, memberships, routing, contactImports, deliveryEvents, statuses, statusCallbacks, provider, guardState, dispatcher, outbound, messages, campaignMessages, campaignStats, campaigns, campaignWorker, campaignProgress, conversations, replies, inbound, sendMessages, pumpingSettings, pumpingGuard, webhooks, lawBook, frequencyCaps, validitySweeper, doubleOptIn, subscriptions, campaignPlanner: launcher.planner };
}

export type Services = ReturnType<typeof createServices>;

/** With Redis, every instance counts a sender's pace in one place. */
function senderPacer(events: EventBus): SenderPacer {
  return events.redis ? new RedisSenderPacer(events.redis, events.prefix) : new LocalSenderPacer();
}

/** The resolver instances type-graphql uses, built from the services. */
export function createResolvers(services: Services): Map<Function, object> {
  return new Map<Function, object>([
    [AccountResolver, new AccountResolver(services.accounts)],
    [AccountGeoResolver, new AccountGeoResolver(services.geo)],
    [GeoResolver, new GeoResolver(services.geo)],
    [ConversationResolver, new ConversationResolver(services.conversations, services.replies)],
    [MessageMediaResolver, new MessageMediaResolver()],
    [MessageResolver, new MessageResolver(services.messages)],
    [MessageCampaignResolver, new MessageCampaignResolver()],
    [MessageConversationResolver, new MessageConversationResolver()],
    [CampaignResolver, new CampaignResolver(services.campaigns, services.messages)],
    [CampaignPlanResolver, new CampaignPlanResolver()],
    [GroupResolver, new GroupResolver(services.groups, services.keywords)],
    [SenderResolver, new SenderResolver(services.senders)],
    [RoutingResolver, new RoutingResolver(services.routing)],
    [ContactResolver, new ContactResolver(services.contacts, services.contactImports, services.subscriptions)],
    [ConsentResolver, new ConsentResolver(services.memberships, services.groups)],
    [MemberResolver, new MemberResolver()],
    [ComplianceResolver, new ComplianceResolver(services.lawBook, services.frequencyCaps)],
    [AccountCapsResolver, new AccountCapsResolver(services.frequencyCaps)],
    [GroupCapsResolver, new GroupCapsResolver(services.frequencyCaps)],
    [CampaignEstimateResolver, new CampaignEstimateResolver(services.campaigns)],
    [GroupMembersResolver, new GroupMembersResolver(services.memberships)],
    [ApiKeyResolver, new ApiKeyResolver()],
    [SendMessageResolver, new SendMessageResolver(services.sendMessages)],
    [PumpingGuardResolver, new PumpingGuardResolver(services.pumpingSettings)],
    [WebhookEndpointResolver, new WebhookEndpointResolver(services.webhooks.endpoints)],
    [WebhookDeliveryResolver, new WebhookDeliveryResolver()],
  ]);
}

export function resolverClasses(resolvers: Map<Function, object>): NonEmptyArray<Function> {
  return [...resolvers.keys()] as NonEmptyArray<Function>;
}
