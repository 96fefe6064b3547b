import type { DataSource, EntityManager } from 'typeorm';
import { badInput } from '../core/errors';
import { CONSENT_LANGUAGES, DEFAULT_KEYWORDS_BY_LANGUAGE, DEFAULT_REPLIES_BY_LANGUAGE } from './consent-languages';
import { foldKeyword, matchKeywordSet } from './consent-matcher';
import { KeywordCategory, type KeywordSet } from './keyword-set.entity';
import type { KeywordSetRepository } from './keyword-set.repository';

/**
 * The defaults of the contract, the ones carriers expect every programme to honour, in the six
 * languages of consent-languages.ts; the reply is the English one, answered in the keyword's own
 * language (consent-matcher.ts replyFor) while the group keeps it.
 */
export const DEFAULT_KEYWORDS: Record<KeywordCategory, { keywords: string[]; reply: string }> = Object.fromEntries(
  Object.values(KeywordCategory).map((category) => [category, {
    keywords: [...new Set(CONSENT_LANGUAGES.flatMap((language) => DEFAULT_KEYWORDS_BY_LANGUAGE[language][category]))],
    reply: DEFAULT_REPLIES_BY_LANGUAGE.en[category],
  }]),
) as Record<KeywordCategory, { keywords: string[]; reply: string }>;

const CATEGORY_ORDER = [KeywordCategory.OPT_OUT, KeywordCategory.OPT_IN, KeywordCategory.HELP];
const MAX_KEYWORD = 34;
const MAX_REPLY = 320;
// A set is stored as one JSON column, TEXT on MySQL: 100 keywords of 34 characters fit with room to spare.
const MAX_KEYWORDS = 100;

/** Whole body, trimmed, case and accents ignored; the first set (OPT_OUT, OPT_IN, HELP) that holds it. */
export function matchKeyword(sets: readonly KeywordSet[], body: string): KeywordSet | null {
  return matchKeywordSet(sets, body)?.set ?? null;
}

export class KeywordService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: KeywordSetRepository,
  ) {}

  async keywordSetsOf(groupId: number): Promise<KeywordSet[]> {
    return this.keywordSetsOfGroups([groupId]);
  }

  /** The sets of many groups in one query, each group's in category order (OPT_OUT, OPT_IN, HELP). */
  async keywordSetsOfGroups(groupIds: readonly number[]): Promise<KeywordSet[]> {
    const sets = groupIds.length ? await this.repo.setsOfGroups(groupIds) : [];
    return sets.sort((a, b) => a.groupId - b.groupId || CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category));
  }

  async createDefaults(groupId: number, manager?: EntityManager): Promise<void> {
    await this.repo.add(CATEGORY_ORDER.map((category) => ({ groupId, category, ...DEFAULT_KEYWORDS[category] })), manager);
  }

  /** Replaces one category's keywords and reply; a keyword may belong to one category of a group. */
  async setKeywords(groupId: number, category: KeywordCategory, rawKeywords: string[], rawReply: string | null | undefined): Promise<KeywordSet[]> {
    const keywords = normaliseKeywords(rawKeywords);
    if (category === KeywordCategory.OPT_OUT && keywords.length === 0) throw badInput('keywords', 'OPT_OUT needs at least one keyword: recipients must always be able to opt out');
    const reply = rawReply?.trim() ? rawReply.trim() : null;
    if (reply !== null && [...reply].length > MAX_REPLY) throw badInput('reply', `must be at most ${MAX_REPLY} characters (it has ${[...reply].length})`);
    await this.dataSource.transaction(async (manager) => {
      const others = (await this.repo.setsOfGroup(groupId, manager)).filter((s) => s.category !== category);
      for (const other of others) {
        const theirs = new Set(other.keywords.map(foldKeyword));
        const taken = keywords.filter((k) => theirs.has(foldKeyword(k)));
        if (taken.length) throw badInput('keywords', `${taken.join(', ')} already belong${taken.length === 1 ? 's' : ''} to ${other.category} in this group`, { invalid: taken });
      }
      const existing = await this.repo.findSet(groupId, category, manager);
      if (existing) await this.repo.change(existing.id, { keywords, reply }, manager);
      else await this.repo.add({ groupId, category, keywords, reply }, manager);
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
    if (keywords.some((k) => foldKeyword(k) === foldKeyword(keyword))) throw badInput('keywords', `${keyword} is listed twice`, { index: i });
    keywords.push(keyword);
  }
  return keywords;
}
