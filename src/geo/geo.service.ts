import type { DataSource } from 'typeorm';
import { AccountStatus, type Account } from '../accounts/account.entity';
import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { canSee, isParentOrOperator } from '../core/tenancy';
import { isDuplicateKeyError } from '../core/database';
import { badInput, forbidden, notFound } from '../core/errors';
import { decode } from '../core/ids';
import { callingCodeOf, isE164Prefix, isKnownRegion, knownRegions } from '../core/phone';
import type { BlockedPrefix } from './blocked-prefix.entity';
import type { BlockedPrefixRepository } from './blocked-prefix.repository';
import type { GeoPermissionRepository } from './geo-permission.repository';
import { grantInitialRegions } from './initial-regions';
import type { SendRulesRepository } from './send-rules.repository';
import type { SendPolicy } from './send-policy';

export interface GeoPermissionsState {
  account: Account;
  /** The account whose country settings are in effect. */
  source: Account;
  inherited: boolean;
  enabledCountries: string[];
  blockedPrefixes: BlockedPrefix[];
}

/** An account's send policy, with its home country (where routing's international fallback looks first). */
export interface AccountSendPolicy extends SendPolicy {
  homeCountry: string;
}

export class GeoService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly regions: GeoPermissionRepository,
    private readonly blocks: BlockedPrefixRepository,
    private readonly accounts: AccountService,
    private readonly sendRules: SendRulesRepository,
  ) {}

  /** Where a subaccount inherits, its parent's settings, live; otherwise its own. */
  async effectiveGeoPermissions(account: Account): Promise<GeoPermissionsState> {
    const source = account.parentId !== null && account.inheritsGeoPermissions
      ? await this.accounts.findByIdOrFail(account.parentId)
      : account;
    const countries = await this.regions.enabledCountries(source.id);
    return {
      account,
      source,
      inherited: source.id !== account.id,
      enabledCountries: countries.sort(),
      blockedPrefixes: await this.blocksApplyingTo(account),
    };
  }

  async geoPermissions(principal: Principal, rawAccountId?: string | null): Promise<GeoPermissionsState> {
    const account = await this.accounts.resolveTarget(principal, rawAccountId);
    return this.effectiveGeoPermissions(account);
  }

  async setGeoPermissions(principal: Principal, rawAccountId: string, rawCountries: string[], enabled: boolean): Promise<GeoPermissionsState> {
    const account = await this.requireGeoRight(principal, rawAccountId);
    const countries = [...new Set(rawCountries.map((c) => c.trim().toUpperCase()))];
    const unknown = countries.filter((c) => !isKnownRegion(c));
    if (unknown.length) throw badInput('countries', `unknown region${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { invalid: unknown });
    if (countries.length === 0) throw badInput('countries', 'name at least one region');
    if (account.parentId !== null && account.inheritsGeoPermissions) {
      throw badInput('accountId', 'this subaccount inherits its parent\'s geo permissions; turn inheritance off first (setGeoPermissionInheritance)');
    }
    await this.dataSource.transaction(async (manager) => {
      await this.regions.disable(account.id, countries, manager);
      if (enabled) await this.regions.enable(account.id, countries, manager);
    });
    return this.effectiveGeoPermissions(account);
  }

  async setInheritance(principal: Principal, rawAccountId: string, inherit: boolean): Promise<GeoPermissionsState> {
    const account = await this.accounts.requireVisible(principal, rawAccountId, 'accountId');
    if (account.parentId === null) throw badInput('accountId', 'a master account has no parent to inherit from');
    if (!isParentOrOperator(principal, account)) throw forbidden('only the parent account or the operator changes a subaccount\'s geo permissions');
    if (account.inheritsGeoPermissions !== inherit) {
      await this.dataSource.transaction(async (manager) => {
        await this.regions.disableAll(account.id, manager);
        // It starts from a copy of the parent's regions at this moment.
        if (!inherit) await grantInitialRegions(this.regions, manager, account.id, { copyOf: account.parentId! });
        await this.accounts.setInheritsGeoPermissions(account.id, inherit, manager);
      });
      account.inheritsGeoPermissions = inherit;
    }
    return this.effectiveGeoPermissions(account);
  }

  /** Any account for itself, a master for its subaccounts, the operator anywhere. */
  async blockPrefix(principal: Principal, rawAccountId: string, rawPrefix: string, reason?: string | null): Promise<BlockedPrefix> {
    const account = await this.accounts.requireVisible(principal, rawAccountId, 'accountId');
    const prefix = rawPrefix.trim().replace(/[\s\-().]/g, '');
    if (!isE164Prefix(prefix)) throw badInput('prefix', `"${rawPrefix}" is not an E.164 prefix: '+' and 1 to 14 digits, e.g. +4478`);
    if (reason && reason.length > 500) throw badInput('reason', 'must be at most 500 characters');
    try {
      return await this.blocks.add({
        accountId: account.id,
        prefix,
        reason: reason?.trim() || null,
        createdAt: new Date(),
        automatic: false,
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw badInput('prefix', `${prefix} is already blocked for this account`);
      throw error;
    }
  }

  /** The pumping guard's own block; null when the prefix was already blocked (by anyone, on any instance). */
  async blockAutomatically(accountId: number, prefix: string, reason: string): Promise<BlockedPrefix | null> {
    try {
      return await this.blocks.add({ accountId, prefix, reason: reason.slice(0, 500), createdAt: new Date(), automatic: true });
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  /** Only the holder, its parent or the operator lifts a block. */
  async unblockPrefix(principal: Principal, rawId: string): Promise<boolean> {
    const id = decode('blk', rawId);
    const block = id === null ? null : await this.blocks.findById(id);
    const holder = block && (await this.accounts.findById(block.accountId));
    if (!block || !holder) throw notFound('blocked prefix', rawId);
    if (!canSee(principal, holder)) {
      // A subaccount sees its parent's blocks (they apply to it) but may not lift them.
      const appliesToCaller = principal.kind === 'account' && principal.parentId === holder.id;
      if (appliesToCaller) throw forbidden('only the account that set the block, its parent or the operator lifts it');
      throw notFound('blocked prefix', rawId);
    }
    await this.blocks.remove(block.id);
    return true;
  }

  async blocksApplyingTo(account: Account): Promise<BlockedPrefix[]> {
    const holders = account.parentId === null ? [account.id] : [account.id, account.parentId];
    return this.blocks.blocksHeldBy(holders);
  }

  /** What the send checks need for one account, read now. */
  async loadSendPolicy(accountId: number): Promise<SendPolicy> {
    const policy = (await this.loadSendPolicies([accountId])).get(accountId);
    if (!policy) throw new Error(`account ${accountId} does not exist`);
    return policy;
  }

  /**
   * What the send checks need for many accounts, read now in two queries at once whatever
   * their number (an account's parent, which never changes, comes from memory): the send queue
   * calls this for every batch it hands over, so that no change is missed.
   */
  async loadSendPolicies(accountIds: readonly number[]): Promise<Map<number, AccountSendPolicy>> {
    const parentOf = await this.accounts.parentsOf([...new Set(accountIds)]);
    const ids = [...parentOf.keys()];
    if (!ids.length) return new Map();
    const parentIds = [...new Set([...parentOf.values()].filter((id): id is number => id !== null))];
    // Whether a subaccount inherits may change at any moment: both its own regions and its parent's are read.
    const holders = [...new Set([...ids, ...parentIds])];
    const [rows, { regions, blocks }] = await Promise.all([this.accounts.findByIds(holders), this.sendRules.of(holders)]);
    const byId = new Map(rows.map((a) => [a.id, a]));
    const policies = new Map<number, AccountSendPolicy>();
    for (const id of ids) {
      const account = byId.get(id);
      if (!account) continue;
      const parent = account.parentId === null ? null : byId.get(account.parentId) ?? null;
      const source = account.parentId !== null && account.inheritsGeoPermissions ? account.parentId : account.id;
      policies.set(account.id, {
        accountId: account.id,
        homeCountry: account.homeCountry,
        suspension: suspensionOf(account, parent),
        blockedPrefixes: blocks.filter((b) => b.accountId === account.id || b.accountId === account.parentId).map((b) => b.prefix).sort(),
        enabledCountries: new Set(regions.filter((r) => r.accountId === source).map((r) => r.country)),
      });
    }
    return policies;
  }

  private async requireGeoRight(principal: Principal, rawAccountId: string): Promise<Account> {
    const account = await this.accounts.requireVisible(principal, rawAccountId, 'accountId');
    const own = principal.kind === 'account' && principal.accountId === account.id;
    if (account.parentId === null ? own || principal.kind === 'operator' : isParentOrOperator(principal, account)) return account;
    throw forbidden('only the parent account or the operator changes a subaccount\'s geo permissions');
  }
}

function suspensionOf(account: Account, parent: Account | null): string | null {
  if (account.status === AccountStatus.SUSPENDED) return account.suspensionReason ?? 'suspended';
  if (parent?.status === AccountStatus.SUSPENDED) return `parent account suspended: ${parent.suspensionReason ?? ''}`.trim();
  return null;
}

export interface CountryState {
  country: string;
  callingCode: string;
  enabled: boolean;
}

export function countryStates(enabled: ReadonlySet<string>): CountryState[] {
  return knownRegions().map((country) => ({ country, callingCode: callingCodeOf(country), enabled: enabled.has(country) }));
}

/** Regions that share a calling code with an enabled region but are off: +1 reaches US, CA, PR, ... */
export function sharedCodeWarnings(enabled: ReadonlySet<string>): string[] {
  const byCode = new Map<string, string[]>();
  for (const region of knownRegions()) {
    const code = callingCodeOf(region);
    byCode.set(code, [...(byCode.get(code) ?? []), region]);
  }
  const warnings: string[] = [];
  for (const [code, regions] of [...byCode].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const on = regions.filter((r) => enabled.has(r));
    const off = regions.filter((r) => !enabled.has(r));
    if (on.length && off.length) {
      warnings.push(`+${code} numbers in ${off.join(', ')} will be refused: of the regions sharing +${code}, only ${on.join(', ')} ${on.length > 1 ? 'are' : 'is'} enabled`);
    }
  }
  return warnings;
}
