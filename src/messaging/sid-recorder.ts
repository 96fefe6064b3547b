import type { EntityManager } from 'typeorm';
import type { Logger } from '../core/logger';
import type { DeliveryEvents } from './delivery-events';
import { type Message, MessageStatus } from './message.entity';
import type { SendQueueRepository } from './send-queue.repository';
import type { StatusService } from './status.service';

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
 * The sids stored within this long are looked up together for callbacks that came before them.
 * Under a burst a sid batch is stored every few milliseconds, and a look-up after each was a
 * fifth of the send queue's reads; a callback applied this much later changes nothing.
 */
const EARLY_LOOK_UP_MS = 50;

/**
 * Stores the carrier's sids of accepted hand-overs, many per UPDATE, and never drops one: a
 * batch that cannot be written (the database is away) is kept and written again, with backoff,
 * until it is. Each stored sid announces its message as SENDING (exactly once, also when an
 * instance's reconciler stored it first).
 */
interface Waiting {
  accepted: AcceptedHandOver;
  stored: () => void;
}

export class SidRecorder {
  private pending: Waiting[] = [];
  private flushing: Promise<void> | null = null;
  private retryDelay = 0;
  private writing = 0;
  /** The early callbacks of stored sids being applied. */
  private readonly applying = new Set<Promise<void>>();
  /** Sids stored and not yet looked up for early callbacks, and the timer that will. */
  private stored: string[] = [];
  private lookUpTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queue: SendQueueRepository,
    private readonly statuses: StatusService,
    private readonly deliveryEvents: DeliveryEvents,
    private readonly log: Logger,
    private readonly onStored: SidsStored,
    /** How long stored sids wait to be looked up together for early callbacks. */
    private readonly earlyLookUpMs = EARLY_LOOK_UP_MS,
  ) {}

  /** Sids recorded and not yet stored, the batch being written included. */
  get backlog(): number {
    return this.pending.length + this.writing;
  }

  /** Resolves once this sid is stored (not when every sid recorded meanwhile is: a hand-over's slot frees with its own). */
  record(accepted: AcceptedHandOver): Promise<void> {
    return new Promise<void>((stored) => {
      this.pending.push({ accepted, stored });
      void this.flush();
    });
  }

  /** Resolves once everything recorded so far is stored, and the callbacks that came before those sids applied; with `giveUpAfterMs`, stops retrying then. */
  async drain(giveUpAfterMs = Infinity): Promise<boolean> {
    const deadline = Date.now() + giveUpAfterMs;
    while (this.pending.length || this.flushing) {
      if (Date.now() > deadline) return false;
      await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(1000, deadline - Date.now()))))]);
    }
    this.lookUpEarly();
    const applied = Promise.allSettled([...this.applying]);
    if (giveUpAfterMs === Infinity) await applied;
    else {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([applied, new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
    }
    return true;
  }

  private flush(): Promise<void> {
    this.flushing ??= this.writePending();
    return this.flushing;
  }

  private async writePending(): Promise<void> {
    try {
      // One turn of the event loop lets the hand-overs finishing together share the UPDATE.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.pending.length) {
        const batch = this.pending.splice(0, BATCH);
        this.writing = batch.length;
        try {
          await this.write(batch.map((w) => w.accepted));
          this.retryDelay = 0;
          this.writing = 0;
          for (const waiting of batch) waiting.stored();
        } catch (error) {
          this.writing = 0;
          this.pending.unshift(...batch);
          this.retryDelay = Math.min(LAST_RETRY_MS, Math.max(FIRST_RETRY_MS, this.retryDelay * 2));
          this.log.error({ err: error, waiting: this.pending.length, retryInMs: this.retryDelay }, 'send queue: could not store provider sids; keeping them to write again');
          await new Promise((resolve) => setTimeout(resolve, this.retryDelay));
        }
      }
    } finally {
      // In the same step as the loop's last look at the list: a sid recorded a moment later
      // starts the next flush instead of waiting, unwritten, for a sid after it.
      this.flushing = null;
    }
  }

  private async anyWantsRecord(batch: AcceptedHandOver[]): Promise<boolean> {
    for (const accountId of new Set(batch.map((a) => a.message.accountId))) if (await this.deliveryEvents.wantsRecord(accountId)) return true;
    return false;
  }

  private async write(batch: AcceptedHandOver[]): Promise<void> {
    const now = new Date();
    // In turn with the messages' other changes: a callback that finds the sid the moment it is
    // stored is published after SENDING, not before.
    const changes = await this.statuses.inTurn(batch.map((a) => a.message.id), async () => {
      const store = async (manager?: EntityManager) => {
        const storedIds = await this.queue.storeSids(batch.map((a) => ({ id: a.message.id, sid: a.sid, attempts: a.attempts, response: a.response })), now, manager);
        const stored = batch.filter((a) => storedIds.has(a.message.id)).map((a) => ({
          message: Object.assign(a.message, { status: MessageStatus.SENDING, providerSid: a.sid, attempts: a.attempts, lastProviderResponse: a.response, updatedAt: now }),
          previousStatus: MessageStatus.QUEUED,
        }));
        if (manager) await this.deliveryEvents.record(manager, stored, now);
        return stored;
      };
      // With a webhook for some of them, the events are stored with the sids: both or neither.
      const recorded = await this.anyWantsRecord(batch);
      const stored = recorded ? await this.queue.transaction(store) : await store();
      await this.deliveryEvents.publish(stored, now, recorded);
      return stored;
    });
    if (!changes.length) return;
    this.stored.push(...changes.map((c) => c.message.providerSid!));
    if (this.stored.length >= BATCH) this.lookUpEarly();
    else this.lookUpTimer ??= setTimeout(() => this.lookUpEarly(), this.earlyLookUpMs).unref();
  }

  /**
   * Applies the callbacks that came before the sids stored since the last look-up. The sids are
   * stored: what this does may fail without their being written again (the periodic sweep applies
   * early callbacks too), and the next batch of sids, and the slots waiting for them, need not
   * wait for it: under a burst most callbacks overtake their sids.
   */
  private lookUpEarly(): void {
    if (this.lookUpTimer) clearTimeout(this.lookUpTimer);
    this.lookUpTimer = null;
    const sids = this.stored.splice(0);
    if (!sids.length) return;
    const applying = this.onStored(sids).catch((error) => {
      this.log.error({ err: error }, 'send queue: could not apply the status callbacks that came before their sids');
    });
    this.applying.add(applying);
    void applying.finally(() => this.applying.delete(applying));
  }
}
