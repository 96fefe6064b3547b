import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from '../core/auth';
import type { Logger } from '../core/logger';
import { SHOWN_PREFIX_LENGTH, type ApiKeyService } from './api-key.service';
import type { OperatorToken } from './operator-token';
import { parseScopes } from './scopes';
import type { FailedAuthLimits } from '../config';

export type Authentication =
  | { principal: Principal | null }
  /** Too many failures from this address or with this key prefix: refuse until then. */
  | { retryAfterSeconds: number };

/**
 * Who is calling, from an `Authorization: Bearer <key>` value. A wrong key counts against the
 * client's address and against the key's prefix (so a guesser is slowed however many addresses
 * it has); past the limit the refusal says when to retry. A valid key is always let in: the
 * keys are 192-bit, so the limit is about load and noise, never about guessing.
 */
export class Authenticator {
  private readonly byClient: RateLimiterAbstract;
  private readonly byPrefix: RateLimiterAbstract;

  constructor(
    private readonly operatorToken: OperatorToken,
    private readonly apiKeys: ApiKeyService,
    limits: FailedAuthLimits,
    private readonly log: Logger,
    redis?: { client: Redis; prefix: string },
  ) {
    const limiter = (name: string): RateLimiterAbstract => {
      const options = { points: limits.failures, duration: limits.windowSeconds, keyPrefix: `auth-failures-${name}` };
      if (!redis) return new RateLimiterMemory(options);
      // Shared by every instance over one Redis; each instance's memory stands in while Redis does not answer.
      return new RateLimiterRedis({ ...options, storeClient: redis.client, keyPrefix: `${redis.prefix}:${options.keyPrefix}`, insuranceLimiter: new RateLimiterMemory(options) });
    };
    this.byClient = limiter('client');
    this.byPrefix = limiter('prefix');
  }

  async authenticate(header: unknown, client: string): Promise<Authentication> {
    if (header === undefined || header === null || header === '') return { principal: null };
    const secret = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    const principal = secret ? await this.principalOf(secret) : null;
    if (principal) return { principal };
    return this.refused(client, secret ? secret.slice(0, SHOWN_PREFIX_LENGTH) : null);
  }

  private async principalOf(secret: string): Promise<Principal | null> {
    if (this.operatorToken.matches(secret)) return { kind: 'operator' };
    const found = await this.apiKeys.authenticate(secret);
    return found ? { kind: 'account', accountId: found.account.id, parentId: found.account.parentId, apiKeyId: found.apiKey.id, scopes: parseScopes(found.apiKey.scopes) } : null;
  }

  private async refused(client: string, keyPrefix: string | null): Promise<Authentication> {
    const waits = await Promise.all([msUntilAllowed(this.byClient, client), keyPrefix === null ? 0 : msUntilAllowed(this.byPrefix, keyPrefix)]);
    const retryAfterSeconds = Math.ceil(Math.max(...waits) / 1000);
    // The prefix is what the key list shows of a key anyway; the secret itself is never logged.
    this.log.warn({ client, keyPrefix, limited: retryAfterSeconds > 0 }, 'authentication refused: not a valid API key or admin token');
    return retryAfterSeconds > 0 ? { retryAfterSeconds } : { principal: null };
  }
}

/** Counts one failure; 0 while under the limit, else how long until the next attempt counts again. */
async function msUntilAllowed(limiter: RateLimiterAbstract, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (rejection) {
    // rate-limiter-flexible rejects with its RateLimiterRes once the points are spent.
    if (rejection instanceof RateLimiterRes) return Math.max(rejection.msBeforeNext, 1);
    throw rejection;
  }
}
