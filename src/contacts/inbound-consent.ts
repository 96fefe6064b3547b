import type { GroupService } from '../groups/group.service';
import { matchConsent, MAX_PLAIN_WORDS_CHARS, plainWordsOptOut, replyFor, type ConsentMatch } from '../groups/consent-matcher';
import { KeywordCategory, type KeywordSet } from '../groups/keyword-set.entity';
import type { KeywordService } from '../groups/keyword.service';
import { SubscriptionStatus } from './membership.entity';
import type { MembershipService } from './membership.service';

/** What an inbound message does to consent, and the set (with its reply in the message's language) that answers it. */
export interface InboundConsentMatch extends ConsentMatch {
  /** The matched set, its reply already in the message's language (null: no answer). */
  set: KeywordSet;
  /** The membership status the message asks for, if any (HELP asks none). */
  status: SubscriptionStatus | null;
}

// Keywords are 1 to 34 characters without spaces, plain-words requests are short: a longer body
// needs no look-up of the group's keyword sets, so the common case (a sentence) costs nothing.
const KEYWORD_SHAPE = /^\S{1,34}$/;

const STATUS_OF: Partial<Record<KeywordCategory, SubscriptionStatus>> = {
  [KeywordCategory.OPT_OUT]: SubscriptionStatus.UNSUBSCRIBED,
  [KeywordCategory.OPT_IN]: SubscriptionStatus.SUBSCRIBED,
};

/**
 * The keyword step of inbound: which consent an inbound body expresses, and the change it makes.
 * An OPT_IN keyword (YES) from a PENDING member confirms a double opt-in (source DOUBLE_OPT_IN);
 * from anyone else it subscribes as any OPT_IN keyword does (source KEYWORD).
 */
export class InboundConsent {
  constructor(
    private readonly keywords: KeywordService,
    private readonly groups: GroupService,
    private readonly memberships: MembershipService,
  ) {}

  async classify(groupId: number, body: string): Promise<InboundConsentMatch | null> {
    const trimmed = body.trim();
    const mayBeKeyword = KEYWORD_SHAPE.test(trimmed);
    const mayBePhrase = trimmed.length <= MAX_PLAIN_WORDS_CHARS * 2 && plainWordsOptOut(trimmed) !== null;
    if (!mayBeKeyword && !mayBePhrase) return null;
    const [sets, group] = await Promise.all([
      this.keywords.keywordSetsOf(groupId),
      mayBePhrase ? this.groups.findById(groupId) : Promise.resolve(null),
    ]);
    const match = matchConsent(sets, trimmed, { plainWords: group?.plainWordsOptOut ?? false });
    if (!match) return null;
    const set = Object.assign(Object.create(Object.getPrototypeOf(match.set)) as KeywordSet, match.set, { reply: replyFor(match.category, match.set.reply, match.language) });
    return { category: match.category, language: match.language, via: match.via, set, status: STATUS_OF[match.category] ?? null };
  }

  /** The membership change the message asks for, recorded with the message's sid and body. */
  async apply(groupId: number, contactId: number, match: InboundConsentMatch, messageSid: string, body: string): Promise<void> {
    if (!match.status) return;
    const cause = { cause: `inbound:${messageSid}`, consentText: body.slice(0, 2000) };
    if (match.status === SubscriptionStatus.SUBSCRIBED) {
      const confirmed = await this.memberships.changeStatus(groupId, contactId, SubscriptionStatus.SUBSCRIBED, { ...cause, source: 'DOUBLE_OPT_IN' }, { onlyFrom: SubscriptionStatus.PENDING });
      if (confirmed.changed) return;
    }
    await this.memberships.setStatus(groupId, contactId, match.status, { ...cause, source: 'KEYWORD' });
  }
}
