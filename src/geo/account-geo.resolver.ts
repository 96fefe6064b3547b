import { FieldResolver, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import type { GeoService } from './geo.service';
import { GeoPermissionsView } from './geo.types';

/** An account's effective geo permissions: resolved here, since geo knows accounts and not the other way round. */
@Resolver(() => Account)
export class AccountGeoResolver {
  constructor(private readonly geo: GeoService) {}

  @FieldResolver(() => GeoPermissionsView)
  async geoPermissions(@Root() account: Account): Promise<GeoPermissionsView> {
    return new GeoPermissionsView(await this.geo.effectiveGeoPermissions(account));
  }
}
