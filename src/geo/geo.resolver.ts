import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { principalOf, type Context } from '../core/auth';
import { BlockedPrefix } from './blocked-prefix.entity';
import { GeoPermissionsView } from './geo.types';
import type { GeoService } from './geo.service';

@Resolver(() => BlockedPrefix)
export class GeoResolver {
  constructor(
    private readonly geo: GeoService,
  ) {}

  @Query(() => GeoPermissionsView, { description: "Defaults to the caller's account." })
  async geoPermissions(@Arg('accountId', () => ID, { nullable: true }) accountId: string | null, @Ctx() ctx: Context): Promise<GeoPermissionsView> {
    return new GeoPermissionsView(await this.geo.geoPermissions(principalOf(ctx), accountId));
  }

  @Mutation(() => GeoPermissionsView)
  async setGeoPermissions(
    @Arg('accountId', () => ID) accountId: string,
    @Arg('countries', () => [String]) countries: string[],
    @Arg('enabled') enabled: boolean,
    @Ctx() ctx: Context,
  ): Promise<GeoPermissionsView> {
    return new GeoPermissionsView(await this.geo.setGeoPermissions(principalOf(ctx), accountId, countries, enabled));
  }

  @Mutation(() => GeoPermissionsView)
  async setGeoPermissionInheritance(
    @Arg('accountId', () => ID) accountId: string,
    @Arg('inherit') inherit: boolean,
    @Ctx() ctx: Context,
  ): Promise<GeoPermissionsView> {
    return new GeoPermissionsView(await this.geo.setInheritance(principalOf(ctx), accountId, inherit));
  }

  @Mutation(() => BlockedPrefix)
  blockPrefix(
    @Arg('accountId', () => ID) accountId: string,
    @Arg('prefix') prefix: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: Context,
  ): Promise<BlockedPrefix> {
    return this.geo.blockPrefix(principalOf(ctx), accountId, prefix, reason);
  }

  @Mutation(() => Boolean)
  unblockPrefix(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return this.geo.unblockPrefix(principalOf(ctx), id);
  }

  @FieldResolver(() => Account, { description: 'The account that set the block; it applies to that account and its subaccounts.' })
  account(@Root() block: BlockedPrefix, @Ctx() ctx: Context): Promise<Account | null> {
    return ctx.loaders.accountById.load(block.accountId);
  }
}
