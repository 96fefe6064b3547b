import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { EventBus } from '../core/pubsub';
import { Account } from './account.entity';
import { ApiKey } from './api-key.entity';

const SECRET_PREFIX = 'sb_';
export const KEY_REVOKED_TOPIC = 'key-revoked';
export const SHOWN_PREFIX_LENGTH = 10;
// lastUsedAt is written at most this often per key, so that reads do not turn into writes.
const LAST_USED_RESOLUTION_MS = 60_000;

export interface IssuedKey {
  apiKey: ApiKey;
  secret: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export class ApiKeyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventBus,
  ) {}

  /** A new secret of 192 random bits; only its hash is stored. */
  async issue(manager: EntityManager, accountId: number, name: string, scopes: string | null = null): Promise<IssuedKey> {
    const secret = SECRET_PREFIX + randomBytes(24).toString('base64url');
    const apiKey = manager.create(ApiKey, {
      accountId,
      name,
      prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
      secretHash: hashSecret(secret),
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
      scopes,
    });
    await manager.save(apiKey);
    return { apiKey, secret };
  }

  /** The key and its account for a bearer secret, or null when unknown or revoked. */
  async authenticate(secret: string): Promise<{ apiKey: ApiKey; account: Account } | null> {
    if (!secret.startsWith(SECRET_PREFIX)) return null;
    const apiKey = await this.dataSource.getRepository(ApiKey).findOneBy({ secretHash: hashSecret(secret), revokedAt: IsNull() });
    if (!apiKey) return null;
    const account = await this.dataSource.getRepository(Account).findOneBy({ id: apiKey.accountId });
    if (!account) return null;
    const now = new Date();
    if (!apiKey.lastUsedAt || now.getTime() - apiKey.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      apiKey.lastUsedAt = now;
      await this.dataSource.getRepository(ApiKey).update({ id: apiKey.id }, { lastUsedAt: now });
    }
    return { apiKey, account };
  }

  /** The keys of many accounts in one query, oldest first. */
  async listForAccounts(accountIds: readonly number[]): Promise<ApiKey[]> {
    return accountIds.length ? this.dataSource.getRepository(ApiKey).find({ where: { accountId: In([...accountIds]) }, order: { id: 'ASC' } }) : [];
  }

  findById(id: number): Promise<ApiKey | null> {
    return this.dataSource.getRepository(ApiKey).findOneBy({ id });
  }

  async revoke(apiKey: ApiKey): Promise<ApiKey> {
    if (!apiKey.revokedAt) {
      apiKey.revokedAt = new Date();
      await this.dataSource.getRepository(ApiKey).update({ id: apiKey.id, revokedAt: IsNull() }, { revokedAt: apiKey.revokedAt });
      // Open subscriptions of the key are closed too, on every instance.
      this.events.pubsub.publish(KEY_REVOKED_TOPIC, 'all', { apiKeyId: apiKey.id });
    }
    return apiKey;
  }
}
