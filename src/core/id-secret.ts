import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { isDuplicateKeyError } from './database';
import { Setting } from './setting.entity';

const SETTING = 'id_secret';

/**
 * The secret under which ids are made (see ids.ts): ID_SECRET when set; otherwise one made on
 * first start and kept in the database, so that every instance over it shows the same ids.
 */
export async function loadIdSecret(dataSource: DataSource, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const repo = dataSource.getRepository(Setting);
  const stored = await repo.findOneBy({ name: SETTING });
  if (stored) return stored.value;
  const generated = randomBytes(32).toString('base64url');
  try {
    await repo.insert({ name: SETTING, value: generated });
  } catch (error) {
    // Another instance made one first: use that. Any other failure is not a lost race.
    if (!isDuplicateKeyError(error)) throw error;
    return (await repo.findOneByOrFail({ name: SETTING })).value;
  }
  return generated;
}
