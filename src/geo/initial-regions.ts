import type { EntityManager } from 'typeorm';
import { GeoPermission } from './geo-permission.entity';

/**
 * The regions a new account starts with, in the transaction that makes it: a master only its
 * home country (as at Twilio); a subaccount that does not inherit, a copy of its parent's.
 */
export async function grantInitialRegions(manager: EntityManager, accountId: number, start: { homeCountry: string } | { copyOf: number }): Promise<void> {
  if ('homeCountry' in start) {
    await manager.insert(GeoPermission, { accountId, country: start.homeCountry });
    return;
  }
  const regions = await manager.find(GeoPermission, { where: { accountId: start.copyOf } });
  if (regions.length) await manager.insert(GeoPermission, regions.map((r) => ({ accountId, country: r.country })));
}
