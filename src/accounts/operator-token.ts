import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SettingRepository } from '../core/setting.repository';
import { hashSecret, sameHash } from './api-key.service';

const SETTING = 'admin_token_sha256';

/**
 * The operator's token: ADMIN_TOKEN when set; otherwise one made on first start, kept
 * (hashed) in the database and handed back once, for the caller to print.
 */
export class OperatorToken {
  private constructor(private readonly hash: string) {}

  static async load(dataSource: DataSource, configured: string | undefined): Promise<{ token: OperatorToken; generated?: string }> {
    if (configured) return { token: new OperatorToken(hashSecret(configured)) };
    const settings = new SettingRepository(dataSource);
    const stored = await settings.valueOf(SETTING);
    if (stored !== null) return { token: new OperatorToken(stored) };
    const generated = 'sbadmin_' + randomBytes(24).toString('base64url');
    const hash = hashSecret(generated);
    // Another instance may make one at the same moment: then its token is the one, and ours is never shown.
    const kept = await settings.keepFirst(SETTING, hash);
    if (kept !== hash) return { token: new OperatorToken(kept) };
    return { token: new OperatorToken(hash), generated };
  }

  matches(secret: string): boolean {
    return sameHash(hashSecret(secret), this.hash);
  }
}
