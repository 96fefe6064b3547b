import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { isDuplicateKeyError } from '../core/database';
import { badInput } from '../core/errors';
import type { SendError } from '../core/send-error';
import { IdempotencyKey } from './idempotency-key.entity';
import type { IdempotencyKeyRepository } from './idempotency-key.repository';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface IdempotencyOptions {
  /** How long a key answers with its first result; then it is purged. At least 24 h. */
  retentionMs: number;
  /** A key whose first request has not completed after this long was cut off (a crash): a retry takes it over. */
  abandonedAfterMs: number;
  /** How long a request waits for the first request of its key to complete. */
  waitMs: number;
}

export const IDEMPOTENCY_DEFAULTS: IdempotencyOptions = { retentionMs: 24 * 3600_000, abandonedAfterMs: 30_000, waitMs: 15_000 };

/** What a key answers: the message queued, or the refusal. */
export type IdempotentResult = { messageId: number; refusal: null } | { messageId: null; refusal: SendError };

export type Claim =
  /** This request owns the key: it sends, then completes the claim. */
  | { kind: 'owner'; row: IdempotencyKey }
  /** An earlier request with the same input already answered. */
  | { kind: 'replay'; result: IdempotentResult };

/** Canonical JSON (sorted keys) of a normalised input, hashed. */
export function requestHash(normalised: unknown): string {
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function checkIdempotencyKey(key: string): void {
  if (key.length === 0) throw badInput('idempotencyKey', 'must not be empty');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw badInput('idempotencyKey', `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters (got ${key.length})`);
}

/**
 * sendMessage's idempotency keys, per account. Insert first: racing requests meet on the
 * unique (account, key) index, exactly one inserts and sends, the others wait for its result.
 */
export class IdempotencyKeys {
  private lastPurge = 0;

  constructor(
    private readonly repo: IdempotencyKeyRepository,
    private readonly options: IdempotencyOptions = IDEMPOTENCY_DEFAULTS,
  ) {}

  async claim(accountId: number, key: string, hash: string): Promise<Claim> {
    this.purgeNowAndThen();
    const deadline = Date.now() + this.options.waitMs;
    for (let wait = 20; ; wait = Math.min(500, wait * 2)) {
      const now = new Date();
      const row = Object.assign(new IdempotencyKey(), { accountId, key, requestHash: hash, messageId: null, refusal: null, createdAt: now, completedAt: null });
      try {
        await this.repo.insert(row);
        return { kind: 'owner', row };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const found = await this.repo.find(accountId, key);
      if (!found) continue;
      if (found.requestHash !== hash) {
        throw badInput('idempotencyKey', 'was already used with another input: a key stands for one request; use a new key for a new message');
      }
      if (found.completedAt) {
        if (now.getTime() - found.createdAt.getTime() <= this.options.retentionMs) return { kind: 'replay', result: resultOf(found) };
        // Expired but not purged yet: the key is free again; whoever deletes it first inserts anew.
        await this.repo.deleteCompleted(found.id, found.completedAt);
        continue;
      }
      if (now.getTime() - found.createdAt.getTime() > this.options.abandonedAfterMs) {
        // Its first request was cut off before completing: take it over, compare-and-set on createdAt.
        if (await this.repo.takeOver(found.id, found.createdAt, now)) return { kind: 'owner', row: Object.assign(found, { createdAt: now }) };
        continue;
      }
      if (Date.now() > deadline) {
        throw badInput('idempotencyKey', 'an earlier request with this key is still being sent; retry in a moment');
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Written in the transaction that queues the message, so that a key never answers a message that was not queued. */
  async complete(manager: EntityManager, row: IdempotencyKey, result: IdempotentResult): Promise<void> {
    await this.repo.complete(row.id, result.messageId, result.refusal ? JSON.stringify({ ...result.refusal }) : null, new Date(), manager);
  }

  /** The send failed unexpectedly: the key is free for a retry. */
  async release(row: IdempotencyKey): Promise<void> {
    await this.repo.release(row.id);
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    return this.repo.purgeCreatedBefore(new Date(now - this.options.retentionMs));
  }

  /** At most once a minute per instance, in the background of a claim. */
  private purgeNowAndThen(): void {
    if (Date.now() - this.lastPurge < 60_000) return;
    this.lastPurge = Date.now();
    void this.purgeExpired().catch(() => {
      this.lastPurge = 0;
    });
  }
}

function resultOf(row: IdempotencyKey): IdempotentResult {
  if (row.messageId !== null) return { messageId: row.messageId, refusal: null };
  return { messageId: null, refusal: JSON.parse(row.refusal ?? '{}') as SendError };
}
