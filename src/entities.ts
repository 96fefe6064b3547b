import { Account } from './accounts/account.entity';
import { ApiKey } from './accounts/api-key.entity';
import { Setting } from './core/setting.entity';
import { BlockedPrefix } from './geo/blocked-prefix.entity';
import { GeoPermission } from './geo/geo-permission.entity';

/** Every TypeORM entity, for the DataSource. */
export const entities = [Setting, Account, ApiKey, GeoPermission, BlockedPrefix];
