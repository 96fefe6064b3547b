import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { isDuplicateKeyError } from '../core/database';
import type { Logger } from '../core/logger';
import { execute, placeholders, sqlDate } from '../core/sql';
import type { DeliveryEvents } from './delivery-events';
import { type Message, MessageStatus } from './message.entity';

export interface AcceptedHandOver {
  message: Message;
  sid: string;
  attempts: number;
  response: string;
}

/** Told of the sids just stored, so that the status callbacks that came before them are applied. */
export type SidsStored = (sids: string[]) => Promise<void>;

const BATCH = 500;
const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5000;

/**
 * Stores the carrier's sids of accepted hand-overs, many per UPDATE, and never drops one: a
 * batch that cannot be written (the database is away) is kept and written again, with backoff,
 * until it is. Each stored sid announces its message as SENDING (exactly once, also when an
 * instance's reconciler stored it first).
 */
export class SidRecorder {
  private pending: AcceptedHandOver[] = [];
  private flushing: Promise<void> | null = null;
  private retryDelay = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveryEvents: DeliveryEvents,
    private readonly log: Logger,
    private readonly onStored: SidsStored,
  ) {}

  get backlog(): number {
    return this.pending.length;
  }

  record(accepted: AcceptedHandOver): Promise<void> {
    this.pending.push(accepted);
    return this.flush();
  }

  /** Resolves once everything recorded so far is stored; with `giveUpAfterMs`, stops retrying then. */
  async drain(giveUpAfterMs = Infinity): Promise<boolean> {
    const deadline = Date.now() + giveUpAfterMs;
    while (this.pending.length || this.flushing) {
      if (Date.now() > deadline) return false;
      await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(1000, deadline - Date.now()))))]);
    }
    return true;
  }

  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      // One turn of the event loop lets the hand-overs finishing together share the UPDATE.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.pending.length) {
        const batch = this.pending.splice(0, BATCH);
        try {
          await this.write(batch);
          this.retryDelay = 0;
        } catch (error) {
          this.pending.unshift(...batch);
          this.retryDelay = Math.min(LAST_RETRY_MS, Math.max(FIRST_RETRY_MS, this.retryDelay * 2));
          this.log.error({ err: error, waiting: this.pending.length, retryInMs: this.retryDelay }, 'send queue: could not store provider sids; keeping them to write again');
          await new Promise((resolve) => setTimeout(resolve, this.retryDelay));
        }
      }
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async write(batch: AcceptedHandOver[]): Promise<void> {
    const token = `sid:${randomUUID()}`;
    const now = new Date();
    const cases = batch.map(() => 'WHEN ? THEN ?').join(' ');
    const pairs = (value: (a: AcceptedHandOver) => unknown) => batch.flatMap((a) => [a.message.id, value(a)]);
    try {
      await execute(this.dataSource,
        `UPDATE messages SET provider_sid = CASE id ${cases} END, attempts = CASE id ${cases} END, last_provider_response = CASE id ${cases} END,
         send_claim = ?, updated_at = ? WHERE id IN (${placeholders(batch.length)}) AND provider_sid IS NULL AND status = ?`,
        [...pairs((a) => a.sid), ...pairs((a) => a.attempts), ...pairs((a) => a.response.slice(0, 500)), token, sqlDate(this.dataSource, now),
          ...batch.map((a) => a.message.id), MessageStatus.SENDING]);
    } catch (error) {
      // A sid already held by another row (a look-up that matched twice) must not block the rest.
      if (!isDuplicateKeyError(error) || batch.length === 1) throw error;
      for (const one of batch) await this.write([one]).catch((e) => this.log.error({ err: e, messageId: one.message.id }, 'send queue: a provider sid could not be stored'));
      return;
    }
    const stored: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM messages WHERE id IN (${placeholders(batch.length)}) AND send_claim = ?`, [...batch.map((a) => a.message.id), token]);
    const storedIds = new Set(stored.map((r) => Number(r.id)));
    const changes = batch.filter((a) => storedIds.has(a.message.id)).map((a) => ({
      message: Object.assign(a.message, { status: MessageStatus.SENDING, providerSid: a.sid, attempts: a.attempts, lastProviderResponse: a.response, updatedAt: now }),
      previousStatus: MessageStatus.QUEUED,
    }));
    await this.deliveryEvents.publish(changes, now);
    if (!changes.length) return;
    // The sids are stored: what follows may fail without their being written again (the periodic sweep applies early callbacks too).
    await this.onStored(changes.map((c) => c.message.providerSid!)).catch((error) => {
      this.log.error({ err: error }, 'send queue: could not apply the status callbacks that came before their sids');
    });
  }
}
