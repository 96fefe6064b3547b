import { LRUCache } from 'lru-cache';
import type { DataSource, EntityManager } from 'typeorm';
import { storedScopes, type ApiKeyScope } from './scopes';
import type { Principal } from '../core/auth';
import { canSee, isParentOrOperator, visibleAccountFilter } from '../core/tenancy';
import { badInput, forbidden, notFound } from '../core/errors';
import { decode, type IdType } from '../core/ids';
import { isKnownRegion } from '../core/phone';
import { AccountStatus, type Account } from './account.entity';
import type { AccountRepository } from './account.repository';
import type { ApiKey } from './api-key.entity';
import { ApiKeyService, type IssuedKey } from './api-key.service';

export interface AccountWithKey {
  account: Account;
  apiKey: IssuedKey;
}

export function requireName(field: string, raw: string, max = 200): string {
  const name = raw.trim();
  if (!name) throw badInput(field, 'must not be empty');
  if (name.length > max) throw badInput(field, `must be at most ${max} characters`);
  return name;
}

export function requireRegion(field: string, raw: string): string {
  const region = raw.trim().toUpperCase();
  if (!isKnownRegion(region)) throw badInput(field, `"${raw}" is not a known ISO 3166-1 alpha-2 region`);
  return region;
}

/** Gives a new account its first regions, in the transaction that makes it (the geo domain's rule). */
export type InitialRegions = (manager: EntityManager, accountId: number, start: { homeCountry: string } | { copyOf: number }) => Promise<void>;

export class AccountService {
  /** accountId -> its parent. Accounts never move between trees, so this never goes stale; bounded all the same. */
  private readonly parents = new LRUCache<number, { parentId: number | null }>({ max: 100_000 });

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: AccountRepository,
    private readonly apiKeys: ApiKeyService,
    private readonly initialRegions: InitialRegions,
  ) {}

  findById(id: number): Promise<Account | null> {
    return this.repo.findById(id);
  }

  /** An account known to exist, such as a subaccount's parent. */
  findByIdOrFail(id: number): Promise<Account> {
    return this.repo.findByIdOrFail(id);
  }

  /** The account when the principal may see it; what it may not see does not exist for it. */
  async getVisible(principal: Principal, rawId: string | number): Promise<Account | null> {
    const id = decode('acc', rawId);
    if (id === null) return null;
    const account = await this.findById(id);
    return account && canSee(principal, account) ? account : null;
  }

  /** Loads the parents of the accounts not yet known, in one query. */
  private async loadParents(accountIds: readonly number[]): Promise<void> {
    const missing = [...new Set(accountIds)].filter((id) => !this.parents.has(id));
    if (!missing.length) return;
    const rows = await this.repo.parentLinks(missing);
    for (const row of rows) this.parents.set(row.id, { parentId: row.parentId });
  }

  /** The account's parent (null for a master), from memory after the first look-up. */
  async parentOf(accountId: number): Promise<number | null> {
    await this.loadParents([accountId]);
    const parent = this.parents.get(accountId);
    if (parent === undefined) throw new Error(`account ${accountId} does not exist`);
    return parent.parentId;
  }

  /** accountId -> its parent (null for a master), from memory after the first look-up; unknown accounts are left out. */
  async parentsOf(accountIds: readonly number[]): Promise<Map<number, number | null>> {
    await this.loadParents(accountIds);
    const result = new Map<number, number | null>();
    for (const id of accountIds) {
      const parent = this.parents.get(id);
      if (parent) result.set(id, parent.parentId);
    }
    return result;
  }

  /** The master account at the top of each account's tree: the tenant channel its live events go on. */
  async rootsOf(accountIds: readonly number[]): Promise<Map<number, number>> {
    await this.loadParents(accountIds);
    return new Map(accountIds.map((id) => [id, this.parents.get(id)?.parentId ?? id]));
  }

  /** A thing owned by an account (a group, contact, campaign, message), when the key may see that account. */
  async visibleOwned<T extends { accountId: number }>(principal: Principal, owned: T | null): Promise<T | null> {
    if (!owned) return null;
    if (principal.kind === 'operator') return owned;
    return canSee(principal, { id: owned.accountId, parentId: await this.parentOf(owned.accountId) }) ? owned : null;
  }

  /**
   * The row an opaque id of `type` names, when the key may see its account: a thing of an
   * account the key may not see does not exist for it (null), as an id of another type or none.
   */
  async findVisible<T extends { accountId: number }>(principal: Principal, type: IdType, rawId: string | number, find: (id: number) => Promise<T | null>): Promise<T | null> {
    const id = decode(type, rawId);
    return this.visibleOwned(principal, id === null ? null : await find(id));
  }

  /** findVisible, or NOT_FOUND naming what was looked for and the field that named it. */
  async requireVisibleOwned<T extends { accountId: number }>(principal: Principal, type: IdType, rawId: string | number, find: (id: number) => Promise<T | null>, what: string, field: string): Promise<T> {
    const found = await this.findVisible(principal, type, rawId, find);
    if (!found) throw notFound(what, `${rawId} (${field})`);
    return found;
  }

  async requireVisible(principal: Principal, rawId: string | number, field = 'id'): Promise<Account> {
    const account = await this.getVisible(principal, rawId);
    if (!account) throw notFound('account', `${rawId} (${field})`);
    return account;
  }

  /** The caller's own account, or the one named, which it must be able to see. */
  async resolveTarget(principal: Principal, rawId: string | null | undefined, field = 'accountId'): Promise<Account> {
    if (rawId !== null && rawId !== undefined) return this.requireVisible(principal, rawId, field);
    if (principal.kind === 'operator') throw badInput(field, 'the operator must name an account');
    return this.repo.findByIdOrFail(principal.accountId);
  }

  /** The accounts a list covers: the one named (which must be visible), else every one visible; null for the operator's all. */
  async listScope(principal: Principal, rawAccountId: string | null | undefined): Promise<number[] | null> {
    if (rawAccountId !== null && rawAccountId !== undefined) return [(await this.requireVisible(principal, rawAccountId, 'accountId')).id];
    return this.visibleAccountIds(principal);
  }

  /** Ids of every account the principal may see; null for the operator. */
  async visibleAccountIds(principal: Principal): Promise<number[] | null> {
    if (principal.kind === 'operator') return null;
    if (principal.parentId !== null) return [principal.accountId];
    return visibleAccountFilter(principal, await this.repo.subaccountIdsOf(principal.accountId));
  }

  async createAccount(principal: Principal, input: { name: string; homeCountry: string }): Promise<AccountWithKey> {
    if (principal.kind !== 'operator') throw forbidden('only the operator (admin token) creates master accounts');
    const name = requireName('name', input.name);
    const homeCountry = requireRegion('homeCountry', input.homeCountry);
    return this.dataSource.transaction(async (manager) => {
      const account = await this.repo.add({
        name,
        homeCountry,
        status: AccountStatus.ACTIVE,
        suspensionReason: null,
        parentId: null,
        inheritsGeoPermissions: false,
        createdAt: new Date(),
      }, manager);
      await this.initialRegions(manager, account.id, { homeCountry });
      const apiKey = await this.apiKeys.issue(account.id, 'default', null, manager);
      return { account, apiKey };
    });
  }

  async createSubaccount(principal: Principal, input: { parentId: string; name: string; inheritGeoPermissions?: boolean | null }): Promise<AccountWithKey> {
    const parent = await this.requireVisible(principal, input.parentId, 'parentId');
    if (!parent.isMaster) throw badInput('parentId', 'a subaccount cannot have subaccounts: one level exists, as at Twilio');
    if (principal.kind === 'account' && principal.accountId !== parent.id) {
      throw forbidden('only the parent account or the operator creates subaccounts');
    }
    const name = requireName('name', input.name);
    const inherit = input.inheritGeoPermissions ?? true;
    return this.dataSource.transaction(async (manager) => {
      const account = await this.repo.add({
        name,
        homeCountry: parent.homeCountry,
        status: AccountStatus.ACTIVE,
        suspensionReason: null,
        parentId: parent.id,
        inheritsGeoPermissions: inherit,
        createdAt: new Date(),
      }, manager);
      if (!inherit) await this.initialRegions(manager, account.id, { copyOf: parent.id });
      const apiKey = await this.apiKeys.issue(account.id, 'default', null, manager);
      return { account, apiKey };
    });
  }

  /** Whether this key may list the account's subaccounts: a master's, to itself or the operator. */
  maySeeSubaccounts(principal: Principal, account: Account): boolean {
    return account.isMaster && canSee(principal, account) && !(principal.kind === 'account' && principal.parentId !== null);
  }

  /** The subaccounts of many masters in one query, oldest first (no visibility: see maySeeSubaccounts). */
  async subaccountsOfMany(parentIds: readonly number[]): Promise<Account[]> {
    return parentIds.length ? this.repo.subaccountsOf(parentIds) : [];
  }

  /** Accounts by id, for the batched field resolvers. */
  async findByIds(ids: readonly number[]): Promise<Account[]> {
    return ids.length ? this.repo.findByIds(ids) : [];
  }

  async createApiKey(principal: Principal, rawAccountId: string, rawName: string, scopes?: readonly ApiKeyScope[] | null): Promise<IssuedKey> {
    const account = await this.requireVisible(principal, rawAccountId, 'accountId');
    const name = requireName('name', rawName);
    return this.apiKeys.issue(account.id, name, storedScopes(scopes));
  }

  /** Stores whether a subaccount inherits its parent's geo permissions; when it may is the geo domain's rule. */
  setInheritsGeoPermissions(accountId: number, inherit: boolean, manager?: EntityManager): Promise<void> {
    return this.repo.setInheritsGeoPermissions(accountId, inherit, manager);
  }

  /** Whether this key may list the account's API keys. */
  maySeeApiKeys(principal: Principal, account: Account): boolean {
    return canSee(principal, account);
  }

  async revokeApiKey(principal: Principal, rawId: string): Promise<ApiKey> {
    const id = decode('key', rawId);
    const apiKey = id === null ? null : await this.apiKeys.findById(id);
    const owner = apiKey && (await this.findById(apiKey.accountId));
    if (!apiKey || !owner || !canSee(principal, owner)) throw notFound('API key', rawId);
    return this.apiKeys.revoke(apiKey);
  }

  async suspend(principal: Principal, rawId: string, rawReason: string): Promise<Account> {
    const account = await this.requireVisible(principal, rawId);
    this.requireSuspensionRight(principal, account);
    const reason = requireName('reason', rawReason, 500);
    await this.repo.setStatus(account.id, AccountStatus.SUSPENDED, reason);
    return this.repo.findByIdOrFail(account.id);
  }

  async resume(principal: Principal, rawId: string): Promise<Account> {
    const account = await this.requireVisible(principal, rawId);
    this.requireSuspensionRight(principal, account);
    await this.repo.setStatus(account.id, AccountStatus.ACTIVE, null);
    return this.repo.findByIdOrFail(account.id);
  }

  private requireSuspensionRight(principal: Principal, account: Account): void {
    if (isParentOrOperator(principal, account)) return;
    throw forbidden(account.isMaster
      ? 'only the operator suspends or resumes a master account'
      : 'only the parent account or the operator suspends or resumes a subaccount');
  }
}
