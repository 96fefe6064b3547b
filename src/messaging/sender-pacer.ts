import type { Redis } from 'ioredis';
import { SlidingRateLimiter, windowOf } from './rate-limiter';

export interface PaceRequest {
  senderId: number;
  perSecond: number;
  /** Messages of this sender due now. */
  wanted: number;
}

/** Hands out send slots per sender, so that no sender exceeds its maxPerSecond. */
export interface SenderPacer {
  /** How many of the wanted sends each sender may make now. */
  take(requests: PaceRequest[], now: number): Promise<Map<number, number>>;
  /** Until when a sender has no free slot, as far as this instance knows (now when one is free). */
  nextFreeAt(senderId: number, now: number): number;
  /** Senders this instance knows to be busy at `now`. */
  busy(now: number): number[];
}

/** One instance: the limits are counted in this process. */
export class LocalSenderPacer implements SenderPacer {
  private readonly limiters = new Map<number, SlidingRateLimiter>();

  async take(requests: PaceRequest[], now: number): Promise<Map<number, number>> {
    const granted = new Map<number, number>();
    for (const { senderId, perSecond, wanted } of requests) {
      let limiter = this.limiters.get(senderId);
      if (!limiter) this.limiters.set(senderId, (limiter = new SlidingRateLimiter(perSecond)));
      let count = 0;
      while (count < wanted && limiter.tryTake(now)) count++;
      granted.set(senderId, count);
    }
    return granted;
  }

  nextFreeAt(senderId: number, now: number): number {
    return this.limiters.get(senderId)?.nextFreeAt(now) ?? now;
  }

  busy(now: number): number[] {
    const busy: number[] = [];
    for (const [id, limiter] of this.limiters) {
      // Idle limiters are forgotten, so that the map holds only the senders sending now.
      if (limiter.idle(now)) this.limiters.delete(id);
      else if (limiter.nextFreeAt(now) > now) busy.push(id);
    }
    return busy;
  }
}

// A sliding log per sender in a sorted set, on Redis's own clock so that instances agree.
// KEYS: one log per sender. ARGV: per key, capacity, window in ms and the sends wanted.
// Answers, per key, the sends granted and when the next slot frees (ms, Redis time).
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[i * 3 - 2])
  local window = tonumber(ARGV[i * 3 - 1])
  local wanted = tonumber(ARGV[i * 3])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local used = redis.call('ZCARD', key)
  local grant = math.max(0, math.min(wanted, capacity - used))
  if grant > 0 then
    local seq = redis.call('INCRBY', key .. ':seq', grant)
    for j = 1, grant do redis.call('ZADD', key, now, seq - grant + j) end
    redis.call('PEXPIRE', key, window * 2)
    redis.call('PEXPIRE', key .. ':seq', window * 2)
  end
  local nextFree = now
  if used + grant >= capacity then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    nextFree = tonumber(oldest[2]) + window
  end
  out[i] = { grant, nextFree - now }
end
return out
`;

/**
 * Several instances: the slots are counted in Redis, so that a sender keeps its pace however
 * many instances send for it. One round trip per look at the queue, for all its senders.
 */
export class RedisSenderPacer implements SenderPacer {
  private readonly busyUntil = new Map<number, number>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async take(requests: PaceRequest[], now: number): Promise<Map<number, number>> {
    const granted = new Map<number, number>();
    if (!requests.length) return granted;
    const keys = requests.map((r) => `${this.prefix}:pace:sender:${r.senderId}`);
    const args = requests.flatMap((r) => {
      const { capacity, windowMs } = windowOf(r.perSecond);
      return [capacity, windowMs, r.wanted];
    });
    const answers = (await this.redis.eval(TAKE_SCRIPT, keys.length, ...keys, ...args)) as Array<[number, number]>;
    requests.forEach((request, i) => {
      const [grant, waitMs] = answers[i];
      granted.set(request.senderId, Number(grant));
      if (Number(waitMs) > 0) this.busyUntil.set(request.senderId, now + Number(waitMs));
      else this.busyUntil.delete(request.senderId);
    });
    return granted;
  }

  nextFreeAt(senderId: number, now: number): number {
    return Math.max(now, this.busyUntil.get(senderId) ?? now);
  }

  busy(now: number): number[] {
    const busy: number[] = [];
    for (const [id, until] of this.busyUntil) {
      if (until > now) busy.push(id);
      else this.busyUntil.delete(id);
    }
    return busy;
  }
}
