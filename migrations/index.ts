import { AccountsGeo1763800000000 } from './1763800000000-accounts-geo';
import { GroupsContacts1763800001000 } from './1763800001000-groups-contacts';
import { CampaignsMessaging1763800002000 } from './1763800002000-campaigns-messaging';
import { SendQueue1763800004400 } from './1763800004400-send-queue';
import { HandOverGuards1763800005000 } from './1763800005000-hand-over-guards';
import { SchemaMatchesEntities1763800006000 } from './1763800006000-schema-matches-entities';
import { CampaignPlans1763800009000 } from './1763800009000-campaign-plans';

/** Every migration in order; listed explicitly so that ts-jest and the compiled build load the same set. */
export const migrations = [AccountsGeo1763800000000, GroupsContacts1763800001000, CampaignsMessaging1763800002000, SendQueue1763800004400, HandOverGuards1763800005000, SchemaMatchesEntities1763800006000, CampaignPlans1763800009000];
