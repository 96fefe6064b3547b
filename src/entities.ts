import { Account } from './accounts/account.entity';
import { ApiKey } from './accounts/api-key.entity';
import { Campaign } from './campaigns/campaign.entity';
import { CampaignPlan } from './campaigns/campaign-plan.entity';
import { Contact } from './contacts/contact.entity';
import { ConsentRecord } from './contacts/consent-record.entity';
import { Membership } from './contacts/membership.entity';
import { Conversation } from './conversations/conversation.entity';
import { Setting } from './core/setting.entity';
import { FrequencyCap } from './compliance/frequency-cap.entity';
import { BlockedPrefix } from './geo/blocked-prefix.entity';
import { GeoPermission } from './geo/geo-permission.entity';
import { KeywordSet } from './groups/keyword-set.entity';
import { Sender } from './groups/sender.entity';
import { SubscriptionGroup } from './groups/subscription-group.entity';
import { EarlyStatusCallback } from './messaging/early-status-callback.entity';
import { Message } from './messaging/message.entity';
import { IdempotencyKey } from './messaging/idempotency-key.entity';
import { OneOffHandOver } from './fraud/one-off-hand-over.entity';
import { PumpingSettings } from './fraud/pumping-settings.entity';
import { WebhookDelivery } from './event-webhooks/webhook-delivery.entity';
import { WebhookEndpoint } from './event-webhooks/webhook-endpoint.entity';

/** Every TypeORM entity, for the DataSource. */
export const entities = [
  Setting, Account, ApiKey, GeoPermission, BlockedPrefix,
  SubscriptionGroup, Sender, KeywordSet, Contact, Membership,
  Campaign, Conversation, Message, EarlyStatusCallback,
  IdempotencyKey, OneOffHandOver, PumpingSettings, WebhookEndpoint, WebhookDelivery, FrequencyCap, ConsentRecord,
  CampaignPlan,
];
