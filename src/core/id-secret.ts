import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SettingRepository } from './setting.repository';

const SETTING = 'id_secret';

/**
 * The secret under which ids are made (see ids.ts): ID_SECRET when set; otherwise one made on
 * first start and kept in the database, so that every instance over it shows the same ids.
 */
export async function loadIdSecret(dataSource: DataSource, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const settings = new SettingRepository(dataSource);
  const stored = await settings.valueOf(SETTING);
  if (stored !== null) return stored;
  // Another instance may make one at the same moment: the first stored is the one every instance uses.
  return settings.keepFirst(SETTING, randomBytes(32).toString('base64url'));
}
