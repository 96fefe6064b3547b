import type { AccountService } from '../accounts/account.service';
import type { Logger } from '../core/logger';
import type { EventBus } from '../core/pubsub';
import { OPERATOR_CHANNEL } from '../core/tenancy';
import type { BlockedPrefix } from '../geo/blocked-prefix.entity';
import type { GeoService } from '../geo/geo.service';
import type { Message } from '../messaging/message.entity';
import type { PrefixTraffic } from '../messaging/prefix-traffic.repository';
import type { OneOffHandOverRepository } from './one-off-hand-over.repository';
import type { PumpingSettingsService, PumpingThresholds } from './pumping-settings';
import { toPrefixBlockedPayload, PREFIX_BLOCKED_TOPIC } from './prefix-blocked-events';

/** The watched prefix of a number: the E.164 number less its last 4 digits (a block of 10,000 numbers). */
export function watchedPrefix(e164: string): string {
  return e164.slice(0, Math.max(2, e164.length - 4));
}

/** Told of each automatic block, after it is stored and published (the `prefix.blocked` webhook hooks in here). */
export type AutomaticBlockListener = (block: BlockedPrefix, rootAccountId: number) => void | Promise<void>;

export interface PumpingGuardOptions {
  /** A prefix of an account is judged at most this often per instance. */
  judgeEveryMs: number;
  /** Hand-overs older than this are purged (longer than any window). */
  keepMs: number;
}

const DEFAULTS: PumpingGuardOptions = { judgeEveryMs: 1000, keepMs: 24 * 3600_000 };

/**
 * The automatic pumping guard. The send queue tells it of each batch it handed over (observe,
 * synchronous and cheap); in the background it records the one-off ones (no campaign: what
 * sign-up and OTP flows send, where pumping strikes; campaign recipients are the group's own
 * members) per account and prefix in the database, so every instance counts the same, and
 * judges each prefix that took traffic against the account's thresholds. A verdict blocks the
 * prefix for the account, as an operator's block would: the hand-over guard then refuses what
 * is still queued to it.
 */
export class PumpingGuard {
  private readonly options: PumpingGuardOptions;
  private pending: Message[] = [];
  private flushing: Promise<void> | null = null;
  private readonly lastJudged = new Map<string, number>();
  private readonly listeners: AutomaticBlockListener[] = [];
  private lastPurge = Date.now();

  constructor(
    private readonly handOvers: OneOffHandOverRepository,
    private readonly settings: PumpingSettingsService,
    private readonly traffic: PrefixTraffic,
    private readonly geo: GeoService,
    private readonly accounts: AccountService,
    private readonly events: EventBus,
    private readonly log: Logger,
    options: Partial<PumpingGuardOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** The lead wires the `prefix.blocked` webhook event here. */
  onAutomaticBlock(listener: AutomaticBlockListener): void {
    this.listeners.push(listener);
  }

  /** Called by the send queue with each batch it claimed for the carrier. */
  observe(handedOver: readonly Message[]): void {
    for (const message of handedOver) if (message.campaignId === null) this.pending.push(message);
    if (this.pending.length) void this.flush();
  }

  /** Resolves once everything observed so far is recorded and judged. */
  async idle(): Promise<void> {
    while (this.flushing || this.pending.length) await (this.flushing ?? this.flush());
  }

  private flush(): Promise<void> {
    // Begun a microtask later, so that its end (which clears `flushing`) always comes after this assignment.
    this.flushing ??= Promise.resolve().then(() => this.judgePending());
    return this.flushing;
  }

  private async judgePending(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, 500);
        try {
          await this.record(batch);
          await this.judgeAll(batch);
          await this.purgeNowAndThen();
        } catch (error) {
          this.log.error({ err: error }, 'pumping guard: could not record or judge hand-overs');
        }
      }
    } finally {
      // In the same step as the loop's last look: hand-overs observed a moment later start the next flush.
      this.flushing = null;
    }
  }

  private async record(batch: Message[]): Promise<void> {
    const now = new Date();
    await this.handOvers.record(batch.map((m) => ({
      accountId: m.accountId, prefix: watchedPrefix(m.to), phoneNumber: m.to, region: m.country, messageId: m.id, handedOverAt: now,
    })));
  }

  private async judgeAll(batch: Message[]): Promise<void> {
    const pairs = new Map<string, { accountId: number; prefix: string; region: string | null }>();
    for (const m of batch) pairs.set(`${m.accountId}:${watchedPrefix(m.to)}`, { accountId: m.accountId, prefix: watchedPrefix(m.to), region: m.country });
    for (const [key, pair] of pairs) {
      const now = Date.now();
      if (now - (this.lastJudged.get(key) ?? 0) < this.options.judgeEveryMs) continue;
      this.lastJudged.set(key, now);
      await this.judge(pair.accountId, pair.prefix, pair.region, now);
    }
    if (this.lastJudged.size > 50_000) this.lastJudged.clear();
  }

  /** The verdict for one prefix of one account now: a reason to block it, or null. */
  async verdict(accountId: number, prefix: string, region: string | null, now: number, thresholds: PumpingThresholds): Promise<string | null> {
    const windowStart = new Date(now - thresholds.windowMinutes * 60_000);
    const rows = await this.handOvers.handedOverSince(accountId, prefix, windowStart);
    const where = `${prefix}xxxx${region ? ` (${region})` : ''}`;
    const distinct = new Set(rows.map((r) => r.phoneNumber)).size;
    if (distinct >= thresholds.burstDistinctNumbers) {
      const baselineStart = new Date(windowStart.getTime() - thresholds.baselineDays * 86_400_000);
      const before = await this.traffic.outboundCount(accountId, prefix, baselineStart, windowStart);
      if (before < thresholds.rareBelow) {
        return `pumping guard: ${distinct} distinct numbers of ${where} in one-off sends within ${thresholds.windowMinutes} min, a prefix this account sent ${before} messages in the ${thresholds.baselineDays} days before (burst threshold ${thresholds.burstDistinctNumbers}, rare below ${thresholds.rareBelow})`;
      }
    }
    const { final, delivered } = await this.traffic.deliveryOf(rows.map((r) => r.messageId));
    if (final >= thresholds.minFinalStatuses && (delivered * 100) / final < thresholds.deliveryFloorPercent) {
      return `pumping guard: ${delivered} of ${final} one-off sends to ${where} with a final status were delivered within ${thresholds.windowMinutes} min (${Math.round((delivered * 1000) / final) / 10} %, floor ${thresholds.deliveryFloorPercent} %)`;
    }
    return null;
  }

  private async judge(accountId: number, prefix: string, region: string | null, now: number): Promise<void> {
    const thresholds = await this.settings.thresholdsOf(accountId);
    if (!thresholds.enabled) return;
    const reason = await this.verdict(accountId, prefix, region, now, thresholds);
    if (!reason) return;
    const block = await this.geo.blockAutomatically(accountId, prefix, reason);
    // Null: already blocked (an operator, or another instance a moment ago): nothing new to tell.
    if (!block) return;
    this.log.warn({ accountId, prefix, reason }, 'pumping guard blocked a prefix');
    const root = (await this.accounts.rootsOf([accountId])).get(accountId) ?? accountId;
    const payload = toPrefixBlockedPayload(block, root);
    this.events.pubsub.publish(PREFIX_BLOCKED_TOPIC, root, payload);
    this.events.pubsub.publish(PREFIX_BLOCKED_TOPIC, OPERATOR_CHANNEL, payload);
    for (const listener of this.listeners) {
      try {
        await listener(block, root);
      } catch (error) {
        this.log.error({ err: error, blockId: block.id }, 'pumping guard: a block listener failed');
      }
    }
  }

  private async purgeNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPurge < 60_000) return;
    this.lastPurge = Date.now();
    await this.handOvers.purgeBefore(new Date(Date.now() - this.options.keepMs));
  }
}
