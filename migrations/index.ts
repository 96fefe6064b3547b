import { AccountsGeo1763800000000 } from './1763800000000-accounts-geo';
import { GroupsContacts1763800001000 } from './1763800001000-groups-contacts';
import { CampaignsMessaging1763800002000 } from './1763800002000-campaigns-messaging';
import { SendQueue1763800004400 } from './1763800004400-send-queue';
import { HandOverGuards1763800005000 } from './1763800005000-hand-over-guards';
import { SchemaMatchesEntities1763800006000 } from './1763800006000-schema-matches-entities';
import { ConsentLedger1763800007000 } from './1763800007000-consent-ledger';
import { LawCapsValidity1763800007500 } from './1763800007500-law-caps-validity';
import { EventWebhooks1763800008000 } from './1763800008000-event-webhooks';
import { PartnerSends1763800008500 } from './1763800008500-partner-sends';
import { CampaignPlans1763800009000 } from './1763800009000-campaign-plans';
import { TransactionalMessages1763800010000 } from './1763800010000-transactional-messages';
import { KeywordsInSixLanguages1763800010500 } from './1763800010500-keywords-in-six-languages';
import { ReplyCampaignIndex1763800011000 } from './1763800011000-reply-campaign-index';

/** Every migration in order; listed explicitly so that ts-jest and the compiled build load the same set. */
export const migrations = [AccountsGeo1763800000000, GroupsContacts1763800001000, CampaignsMessaging1763800002000, SendQueue1763800004400, HandOverGuards1763800005000, SchemaMatchesEntities1763800006000, ConsentLedger1763800007000, LawCapsValidity1763800007500, EventWebhooks1763800008000, PartnerSends1763800008500, CampaignPlans1763800009000, TransactionalMessages1763800010000, KeywordsInSixLanguages1763800010500, ReplyCampaignIndex1763800011000];
