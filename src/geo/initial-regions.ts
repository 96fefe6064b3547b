import type { EntityManager } from 'typeorm';
import type { GeoPermissionRepository } from './geo-permission.repository';

/**
 * The regions a new account starts with, in the transaction that makes it: a master only its
 * home country (as at Twilio); a subaccount that does not inherit, a copy of its parent's.
 */
export async function grantInitialRegions(regions: GeoPermissionRepository, manager: EntityManager, accountId: number, start: { homeCountry: string } | { copyOf: number }): Promise<void> {
  if ('homeCountry' in start) {
    await regions.enable(accountId, [start.homeCountry], manager);
    return;
  }
  const parents = await regions.enabledCountries(start.copyOf, manager);
  if (parents.length) await regions.enable(accountId, parents, manager);
}
