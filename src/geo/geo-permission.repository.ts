import { In, type DataSource, type EntityManager } from 'typeorm';
import { GeoPermission } from './geo-permission.entity';

/** The geo_permissions table: one row per region an account that keeps its own permissions enabled. */
export class GeoPermissionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The regions the account itself enabled (not those it may inherit). */
  async enabledCountries(accountId: number, manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    return (await manager.find(GeoPermission, { where: { accountId } })).map((r) => r.country);
  }

  /** Enables regions the account does not have yet, in one statement. */
  async enable(accountId: number, countries: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(GeoPermission, countries.map((country) => ({ accountId, country })));
  }

  async disable(accountId: number, countries: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.delete(GeoPermission, { accountId, country: In([...countries]) });
  }

  async disableAll(accountId: number, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.delete(GeoPermission, { accountId });
  }
}
