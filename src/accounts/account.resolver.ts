import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { principalOf, type Context } from '../core/auth';
import { canSee } from '../core/tenancy';
import { forbidden } from '../core/errors';
import { Account } from './account.entity';
import { CreateAccountInput, CreateSubaccountInput } from './account.inputs';
import type { AccountService } from './account.service';
import { AccountWithKey, IssuedApiKey } from './account.types';
import { ApiKey } from './api-key.entity';
import { ApiKeyScope } from './scopes';

@Resolver(() => Account)
export class AccountResolver {
  constructor(
    private readonly accounts: AccountService,
  ) {}

  @Query(() => Account, { description: 'The account of the API key in use.' })
  async viewer(@Ctx() ctx: Context): Promise<Account> {
    const principal = principalOf(ctx);
    if (principal.kind === 'operator') throw forbidden('the admin token belongs to no account; use an account\'s API key');
    return this.accounts.requireVisible(principal, principal.accountId);
  }

  @Query(() => Account, { nullable: true })
  account(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Account | null> {
    return this.accounts.getVisible(principalOf(ctx), id);
  }

  @Mutation(() => AccountWithKey, { description: "Needs the operator's admin token: makes a master account and its first key." })
  createAccount(@Arg('input', () => CreateAccountInput) input: CreateAccountInput, @Ctx() ctx: Context): Promise<AccountWithKey> {
    return this.accounts.createAccount(principalOf(ctx), input);
  }

  @Mutation(() => AccountWithKey)
  createSubaccount(@Arg('input', () => CreateSubaccountInput) input: CreateSubaccountInput, @Ctx() ctx: Context): Promise<AccountWithKey> {
    return this.accounts.createSubaccount(principalOf(ctx), input);
  }

  @Mutation(() => IssuedApiKey)
  createApiKey(
    @Arg('accountId', () => ID) accountId: string,
    @Arg('name') name: string,
    @Ctx() ctx: Context,
    @Arg('scopes', () => [ApiKeyScope], { nullable: true, description: 'Leave out for a key with full access (ADMIN).' }) scopes?: ApiKeyScope[] | null,
  ): Promise<IssuedApiKey> {
    return this.accounts.createApiKey(principalOf(ctx), accountId, name, scopes);
  }

  @Mutation(() => ApiKey)
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ApiKey> {
    return this.accounts.revokeApiKey(principalOf(ctx), id);
  }

  @Mutation(() => Account, { description: 'Stops all sending for the account and its subaccounts.' })
  suspendAccount(@Arg('id', () => ID) id: string, @Arg('reason') reason: string, @Ctx() ctx: Context): Promise<Account> {
    return this.accounts.suspend(principalOf(ctx), id, reason);
  }

  @Mutation(() => Account)
  resumeAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Account> {
    return this.accounts.resume(principalOf(ctx), id);
  }

  @FieldResolver(() => String, { nullable: true })
  suspensionReason(@Root() account: Account, @Ctx() ctx: Context): string | null {
    return canSee(principalOf(ctx), account) ? account.suspensionReason : null;
  }

  @FieldResolver(() => Boolean)
  inheritsGeoPermissions(@Root() account: Account, @Ctx() ctx: Context): boolean {
    requireFullView(ctx, account, 'inheritsGeoPermissions');
    return account.inheritsGeoPermissions;
  }

  @FieldResolver(() => Date)
  createdAt(@Root() account: Account, @Ctx() ctx: Context): Date {
    requireFullView(ctx, account, 'createdAt');
    return account.createdAt;
  }

  @FieldResolver(() => Account, { nullable: true, description: 'Null for a master account.' })
  parent(@Root() account: Account, @Ctx() ctx: Context): Promise<Account | null> | null {
    return account.parentId === null ? null : ctx.loaders.accountById.load(account.parentId);
  }

  @FieldResolver(() => [Account])
  subaccounts(@Root() account: Account, @Ctx() ctx: Context): Promise<Account[]> {
    return this.accounts.maySeeSubaccounts(principalOf(ctx), account) ? ctx.loaders.subaccountsOf.load(account.id) : Promise.resolve([]);
  }

  @FieldResolver(() => [ApiKey])
  apiKeys(@Root() account: Account, @Ctx() ctx: Context): Promise<ApiKey[]> {
    return this.accounts.maySeeApiKeys(principalOf(ctx), account) ? ctx.loaders.apiKeysOf.load(account.id) : Promise.resolve([]);
  }
}

/**
 * Of the parent it reaches through `parent`, a subaccount's key sees id, name, homeCountry,
 * status and geoPermissions; subaccounts and apiKeys answer empty and suspensionReason null.
 * The other fields cannot be null, so asking for them is refused.
 */
function requireFullView(ctx: Context, account: Account, field: string): void {
  if (!canSee(principalOf(ctx), account)) {
    throw forbidden(`${field}: a subaccount's key sees only id, name, homeCountry, status and geoPermissions of its parent`);
  }
}
