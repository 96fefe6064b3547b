import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Setting } from '../core/setting.entity';
import { hashSecret, sameHash } from './api-key.service';
import { isDuplicateKeyError } from '../core/database';

const SETTING = 'admin_token_sha256';

/**
 * The operator's token: ADMIN_TOKEN when set; otherwise one made on first start, kept
 * (hashed) in the database and handed back once, for the caller to print.
 */
export class OperatorToken {
  private constructor(private readonly hash: string) {}

  static async load(dataSource: DataSource, configured: string | undefined): Promise<{ token: OperatorToken; generated?: string }> {
    if (configured) return { token: new OperatorToken(hashSecret(configured)) };
    const repo = dataSource.getRepository(Setting);
    const stored = await repo.findOneBy({ name: SETTING });
    if (stored) return { token: new OperatorToken(stored.value) };
    const generated = 'sbadmin_' + randomBytes(24).toString('base64url');
    const hash = hashSecret(generated);
    try {
      await repo.insert({ name: SETTING, value: hash });
    } catch (error) {
      // Another instance made one first: use that. Any other failure is not a lost race.
      if (!isDuplicateKeyError(error)) throw error;
      const winner = await repo.findOneByOrFail({ name: SETTING });
      return { token: new OperatorToken(winner.value) };
    }
    return { token: new OperatorToken(hash), generated };
  }

  matches(secret: string): boolean {
    return sameHash(hashSecret(secret), this.hash);
  }
}
