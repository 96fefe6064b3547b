import type { DataSource } from 'typeorm';
import { requireName } from '../accounts/account.service';
import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { badInput } from '../core/errors';
import { ImmutableFacts } from '../core/immutable-facts';
import { consentSettings, type ConsentSettingsInput } from './group-consent-settings';
import type { KeywordService } from './keyword.service';
import type { Sender } from './sender.entity';
import type { SubscriptionGroup } from './subscription-group.entity';
import type { SubscriptionGroupRepository } from './subscription-group.repository';

export interface CreateGroupInput extends ConsentSettingsInput {
  accountId?: string | null;
  name: string;
  description?: string | null;
  internationalFallback?: boolean | null;
}

export interface UpdateGroupInput extends ConsentSettingsInput {
  name?: string | null;
  description?: string | null;
  internationalFallback?: boolean | null;
}


const MAX_DESCRIPTION = 2000;

export class GroupService {
  /** groupId -> its account: a group never moves to another account. */
  private readonly accountOf = new ImmutableFacts<number>((ids) => this.repo.accountIdsOf(ids));

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: SubscriptionGroupRepository,
    private readonly accounts: AccountService,
    private readonly keywords: KeywordService,
  ) {}

  findById(id: number): Promise<SubscriptionGroup | null> {
    return this.repo.findById(id);
  }

  async findByIds(ids: readonly number[]): Promise<SubscriptionGroup[]> {
    return ids.length ? this.repo.findByIds(ids) : [];
  }

  /** Groups with their senders in service, oldest first, read now in one statement (the send queue's re-check). */
  async withActiveSenders(ids: readonly number[]): Promise<Array<{ group: SubscriptionGroup; senders: Sender[] }>> {
    return ids.length ? this.repo.withActiveSenders(ids) : [];
  }

  /** groupId -> its account id, from memory after the first look-up. */
  accountIdsOf(groupIds: readonly number[]): Promise<Map<number, number>> {
    return this.accountOf.of(groupIds);
  }

  /** The group when the key may see its account; a group it may not see does not exist for it. */
  getVisible(principal: Principal, rawId: string | number): Promise<SubscriptionGroup | null> {
    return this.accounts.findVisible(principal, 'grp', rawId, (id) => this.findById(id));
  }

  requireVisible(principal: Principal, rawId: string | number, field = 'groupId'): Promise<SubscriptionGroup> {
    return this.accounts.requireVisibleOwned(principal, 'grp', rawId, (id) => this.findById(id), 'subscription group', field);
  }

  async create(principal: Principal, input: CreateGroupInput): Promise<SubscriptionGroup> {
    const account = await this.accounts.resolveTarget(principal, input.accountId);
    const name = requireName('name', input.name);
    const description = optionalDescription(input.description);
    const consent = consentSettings(input);
    return this.dataSource.transaction(async (manager) => {
      const group = await this.repo.add({
        accountId: account.id,
        name,
        description,
        internationalFallback: input.internationalFallback ?? false,
        doubleOptIn: false,
        confirmationRequest: null,
        confirmationExpirySeconds: null,
        plainWordsOptOut: true,
        ...consent,
        createdAt: new Date(),
      }, manager);
      await this.keywords.createDefaults(group.id, manager);
      return group;
    });
  }

  async update(principal: Principal, rawId: string, input: UpdateGroupInput): Promise<SubscriptionGroup> {
    const group = await this.requireVisible(principal, rawId, 'id');
    const changes: Partial<SubscriptionGroup> = {};
    if (input.name !== undefined && input.name !== null) changes.name = requireName('name', input.name);
    if (input.description !== undefined) changes.description = optionalDescription(input.description);
    if (input.internationalFallback !== undefined && input.internationalFallback !== null) changes.internationalFallback = input.internationalFallback;
    Object.assign(changes, consentSettings(input));
    if (Object.keys(changes).length) await this.repo.change(group.id, changes);
    return this.repo.findByIdOrFail(group.id);
  }

  async list(principal: Principal, rawAccountId?: string | null): Promise<SubscriptionGroup[]> {
    const account = await this.accounts.resolveTarget(principal, rawAccountId);
    return this.repo.groupsOfAccount(account.id);
  }

  /** Regions covered by at least one active sender, sorted. */
}

function optionalDescription(raw: string | null | undefined): string | null {
  const text = raw?.trim();
  if (!text) return null;
  if (text.length > MAX_DESCRIPTION) throw badInput('description', `must be at most ${MAX_DESCRIPTION} characters`);
  return text;
}

/** The regions a group's senders in service cover, sorted. */
export function countriesServed(senders: readonly Pick<Sender, 'country'>[]): string[] {
  return [...new Set(senders.map((s) => s.country))].sort();
}
