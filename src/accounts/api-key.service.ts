import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EventBus } from '../core/pubsub';
import type { Account } from './account.entity';
import type { AccountRepository } from './account.repository';
import type { ApiKey } from './api-key.entity';
import type { ApiKeyRepository } from './api-key.repository';

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
    private readonly keys: ApiKeyRepository,
    private readonly accounts: AccountRepository,
    private readonly events: EventBus,
  ) {}

  /** A new secret of 192 random bits; only its hash is stored. */
  async issue(accountId: number, name: string, scopes: string | null = null, manager?: EntityManager): Promise<IssuedKey> {
    const secret = SECRET_PREFIX + randomBytes(24).toString('base64url');
    const apiKey = await this.keys.add({
      accountId,
      name,
      prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
      secretHash: hashSecret(secret),
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
      scopes,
    }, manager);
    return { apiKey, secret };
  }

  /** The key and its account for a bearer secret, or null when unknown or revoked. */
  async authenticate(secret: string): Promise<{ apiKey: ApiKey; account: Account } | null> {
    if (!secret.startsWith(SECRET_PREFIX)) return null;
    const apiKey = await this.keys.findActiveBySecretHash(hashSecret(secret));
    if (!apiKey) return null;
    const account = await this.accounts.findById(apiKey.accountId);
    if (!account) return null;
    const now = new Date();
    if (!apiKey.lastUsedAt || now.getTime() - apiKey.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      apiKey.lastUsedAt = now;
      await this.keys.setLastUsed(apiKey.id, now);
    }
    return { apiKey, account };
  }

  /** The keys of many accounts in one query, oldest first. */
  async listForAccounts(accountIds: readonly number[]): Promise<ApiKey[]> {
    return accountIds.length ? this.keys.keysOfAccounts(accountIds) : [];
  }

  findById(id: number): Promise<ApiKey | null> {
    return this.keys.findById(id);
  }

  async revoke(apiKey: ApiKey): Promise<ApiKey> {
    if (!apiKey.revokedAt) {
      apiKey.revokedAt = new Date();
      await this.keys.markRevoked(apiKey.id, apiKey.revokedAt);
      // Open subscriptions of the key are closed too, on every instance.
      this.events.pubsub.publish(KEY_REVOKED_TOPIC, 'all', { apiKeyId: apiKey.id });
    }
    return apiKey;
  }
}
