import type { DataSource, EntityManager } from 'typeorm';
import { badInput } from '../core/errors';
import { KeywordCategory, KeywordSet } from './keyword-set.entity';

/** The defaults of the contract, the ones carriers expect every programme to honour. */
export const DEFAULT_KEYWORDS: Record<KeywordCategory, { keywords: string[]; reply: string }> = {
  [KeywordCategory.OPT_OUT]: {
    keywords: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
    reply: 'You have been unsubscribed and will receive no more messages. Reply START to resubscribe.',
  },
  [KeywordCategory.OPT_IN]: {
    keywords: ['START', 'YES', 'UNSTOP'],
    reply: 'You have been subscribed again. Reply STOP to unsubscribe.',
  },
  [KeywordCategory.HELP]: {
    keywords: ['HELP', 'INFO'],
    reply: 'Reply STOP to unsubscribe. Msg & data rates may apply.',
  },
};

const CATEGORY_ORDER = [KeywordCategory.OPT_OUT, KeywordCategory.OPT_IN, KeywordCategory.HELP];
const MAX_KEYWORD = 34;
const MAX_REPLY = 320;
// A set is stored as one JSON column, TEXT on MySQL: 100 keywords of 34 characters fit with room to spare.
const MAX_KEYWORDS = 100;

/** Whole body, trimmed, case-insensitive; the first set (OPT_OUT, OPT_IN, HELP) that holds it. */
export function matchKeyword(sets: readonly KeywordSet[], body: string): KeywordSet | null {
  const word = body.trim().toUpperCase();
  if (!word) return null;
  return sets.find((set) => set.keywords.includes(word)) ?? null;
}

export class KeywordService {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(KeywordSet);
  }

  async keywordSetsOf(groupId: number): Promise<KeywordSet[]> {
    const sets = await this.repo.findBy({ groupId });
    return sets.sort((a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category));
  }

  async createDefaults(manager: EntityManager, groupId: number): Promise<void> {
    await manager.insert(KeywordSet, CATEGORY_ORDER.map((category) => ({ groupId, category, ...DEFAULT_KEYWORDS[category] })));
  }

  /** Replaces one category's keywords and reply; a keyword may belong to one category of a group. */
  async setKeywords(groupId: number, category: KeywordCategory, rawKeywords: string[], rawReply: string | null | undefined): Promise<KeywordSet[]> {
    const keywords = normaliseKeywords(rawKeywords);
    if (category === KeywordCategory.OPT_OUT && keywords.length === 0) throw badInput('keywords', 'OPT_OUT needs at least one keyword: recipients must always be able to opt out');
    const reply = rawReply?.trim() ? rawReply.trim() : null;
    if (reply !== null && [...reply].length > MAX_REPLY) throw badInput('reply', `must be at most ${MAX_REPLY} characters (it has ${[...reply].length})`);
    await this.dataSource.transaction(async (manager) => {
      const others = (await manager.findBy(KeywordSet, { groupId })).filter((s) => s.category !== category);
      for (const other of others) {
        const taken = keywords.filter((k) => other.keywords.includes(k));
        if (taken.length) throw badInput('keywords', `${taken.join(', ')} already belong${taken.length === 1 ? 's' : ''} to ${other.category} in this group`, { invalid: taken });
      }
      const existing = await manager.findOneBy(KeywordSet, { groupId, category });
      if (existing) await manager.update(KeywordSet, { id: existing.id }, { keywords, reply });
      else await manager.insert(KeywordSet, { groupId, category, keywords, reply });
    });
    return this.keywordSetsOf(groupId);
  }
}

function normaliseKeywords(raw: string[]): string[] {
  if (raw.length > MAX_KEYWORDS) throw badInput('keywords', `at most ${MAX_KEYWORDS} keywords per category (got ${raw.length})`);
  const keywords: string[] = [];
  for (const [i, text] of raw.entries()) {
    const keyword = text.trim().toUpperCase();
    if (!keyword) throw badInput('keywords', `keyword ${i} is empty`, { index: i });
    if (/\s/.test(keyword)) throw badInput('keywords', `"${text.trim()}" contains a space: a keyword is one word`, { index: i });
    if ([...keyword].length > MAX_KEYWORD) throw badInput('keywords', `"${keyword}" is longer than ${MAX_KEYWORD} characters`, { index: i });
    if (keywords.includes(keyword)) throw badInput('keywords', `${keyword} is listed twice`, { index: i });
    keywords.push(keyword);
  }
  return keywords;
}
