import type { Logger } from '../core/logger';
import type { Metrics } from '../core/metrics';
import { CAMPAIGN_CANCELLED_MESSAGE, EXPIRED_MESSAGE, SendErrorCode } from '../core/send-error';
import { judgeHandOver, type HandOverStateSource, type HandOverVerdict } from './hand-over-guard';
import type { HandOver } from './hand-over';
import { Message, MessageStatus } from './message.entity';
import type { OrphanReconciler } from './orphan-reconciler';
import type { SendQueueRepository } from './send-queue.repository';
import type { SenderSlots } from './sender-slots';
import type { SidRecorder } from './sid-recorder';
import type { StatusCallbacks } from './status-callbacks';
import type { StatusRefresher } from './status-refresher';
import type { StatusService } from './status.service';

export interface DispatcherOptions {
  /** Rows read per look at the queue. */
  batchSize: number;
  /**
   * Hand-overs in flight at once: no more than the client's sockets to the carrier (128), so that
   * nothing is claimed only to wait for a socket; a crash then cuts off only what is on the wire.
   */
  concurrency: number;
  /** Longest wait between looks at the queue when nothing wakes it (other instances' work). */
  idlePollMs: number;
  /** A hand-over still without a sid this long after its last step was cut off: looked up at the carrier. */
  orphanAfterMs: number;
  /** How often cut-off hand-overs and early status callbacks are looked for. */
  sweepEveryMs: number;
  /** True when no other instance shares the queue: at start, every hand-over without a sid was cut off. */
  alone: boolean;
}

const DEFAULTS: DispatcherOptions = { batchSize: 500, concurrency: 128, idlePollMs: 250, orphanAfterMs: 15_000, sweepEveryMs: 5_000, alone: true };

export interface DispatcherParts {
  queue: SendQueueRepository;
  guardState: HandOverStateSource;
  handOver: HandOver;
  statuses: StatusService;
  sids: SidRecorder;
  reconciler: OrphanReconciler;
  callbacks: StatusCallbacks;
  refresher: StatusRefresher;
  /** SQL that holds on a messages row whose campaign was not cancelled (campaigns owns that table). */
  campaignNotCancelled: (column: string) => string;
  /** Each sender's pace. */
  slots: SenderSlots;
  /** Told of each batch claimed for the carrier (the pumping guard); must not block. */
  watch?: (handedOver: readonly Message[]) => void;
  log: Logger;
  metrics: Metrics;
}

/**
 * The durable send queue is the messages table: QUEUED rows whose sendAfter has passed leave
 * in (sendAfter, id) order, each sender at most maxPerSecond. Just before the hand-over every
 * check of the send path is made again against the state as it is then (hand-over-guard.ts);
 * what passes is claimed (SENDING, with a claim token, so that no instance hands it over twice)
 * and posted at once.
 */
/**
 * Looks at the queue that may be under way at once: while one waits on the database for the
 * guard's state or its claim, the next reads what is due after it, so that the wait of each
 * look does not leave the carrier's sockets idle.
 */
const OVERLAPPING_LOOKS = 3;

export class Dispatcher {
  private readonly options: DispatcherOptions;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly looks = new Set<Promise<void>>();
  /** Messages a look under way has read and not yet let go: the other look leaves them out. */
  private readonly held = new Set<number>();
  /** Hand-over slots the looks under way may fill. */
  private reserved = 0;
  /** A look found the queue drained (or its senders busy): none starts before this unless new work wakes the queue. */
  private quietUntil = 0;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private lastSweep = 0;
  private lookWaiters: Array<() => void> = [];

  constructor(private readonly parts: DispatcherParts, options: Partial<DispatcherOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  async start(): Promise<void> {
    if (this.running) return;
    // Alone, every hand-over left without a sid was cut off by the last stop; shared, only the old ones surely were.
    await this.parts.reconciler.reconcile(new Date(Date.now() - (this.options.alone ? 0 : this.options.orphanAfterMs)));
    this.lastSweep = Date.now();
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops taking new work and waits for the hand-overs in flight to be recorded. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.looks]);
    await Promise.allSettled([...this.inFlight]);
    // A sid not stored by now is found again by the next start's look-up at the carrier.
    if (!(await this.parts.sids.drain(5000))) this.parts.log.error({ waiting: this.parts.sids.backlog }, 'send queue: stopping with provider sids not stored');
  }

  /** New work is queued: look now rather than at the next poll. */
  wake(): void {
    this.quietUntil = 0;
    this.nudge();
  }

  /**
   * Resolves once a whole look at the queue has begun and ended after this call, with every look
   * under way then (unless half the hand-over slots are still busy and no look is under way): what
   * was due then has been judged, held or claimed, and the claimed ones are in flight (see settle).
   */
  nextLook(): Promise<void> {
    return new Promise((resolve) => {
      this.lookWaiters.push(resolve);
      this.wake();
    });
  }

  /** Waits (at most timeoutMs) for the looks under way and the hand-overs in flight now to be recorded. */
  async settle(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const settled = (async () => {
      await Promise.allSettled([...this.looks]);
      await Promise.allSettled([...this.inFlight]);
      await this.parts.sids.drain();
    })();
    await Promise.race([settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let delay = this.options.idlePollMs;
      const waiters = this.lookWaiters.splice(0);
      try {
        await this.sweepIfDue();
        const look = this.startLook();
        if (look) {
          void Promise.allSettled([...this.looks]).then(() => waiters.forEach((resolve) => resolve()));
          // Perhaps another may start at once; if not, the next pass sleeps.
          delay = 0;
        } else {
          // A look under way ends with a nudge: waiters keep waiting for one that begins after their call.
          if (this.looks.size) this.lookWaiters.unshift(...waiters);
          else waiters.forEach((resolve) => resolve());
          const quiet = this.quietUntil - Date.now();
          delay = quiet > 0 ? Math.min(this.options.idlePollMs, quiet) : this.options.idlePollMs;
        }
      } catch (error) {
        this.parts.log.error({ err: error }, 'send queue: could not read the queue; retrying');
        waiters.forEach((resolve) => resolve());
        delay = 1000;
      }
      if (delay > 0 && this.running) await this.sleep(delay);
    }
  }

  private async sweepIfDue(): Promise<void> {
    if (Date.now() - this.lastSweep < this.options.sweepEveryMs) return;
    this.lastSweep = Date.now();
    await this.parts.reconciler.reconcile(new Date(Date.now() - this.options.orphanAfterMs));
    await this.parts.callbacks.sweep();
    await this.parts.refresher.refresh();
  }

  /** Begins a look at the queue when one may begin now. */
  private startLook(): Promise<void> | null {
    const now = Date.now();
    if (this.looks.size >= OVERLAPPING_LOOKS || now < this.quietUntil) return null;
    const room = this.options.concurrency - this.inFlight.size - this.reserved;
    // A look costs a few queries: take work in batches, not one slot at a time.
    if (room <= 0 || (room < this.smallestLook() && this.inFlight.size + this.reserved > 0)) return null;
    const wanted = Math.min(room, this.options.batchSize);
    this.reserved += wanted;
    const look: Promise<void> = this.look(now, wanted)
      .catch((error) => {
        this.parts.log.error({ err: error }, 'send queue: could not read the queue; retrying');
        this.quietUntil = Date.now() + 1000;
      })
      .finally(() => {
        this.reserved -= wanted;
        this.looks.delete(look);
        this.nudge();
      });
    this.looks.add(look);
    return look;
  }

  /**
   * The fewest free slots worth a look while others are busy: half of them. A look costs about
   * ten statements (what is due, the rules read fresh, the claim) however many it takes, so its
   * size sets the queue's own cost per message: in the hand-over benchmark, looks of at least 22
   * (a sixth) cost 685 us of CPU a message against 457 us for the bare client, looks of at least
   * 64 cost 518 us against 456. An idle queue looks for any number.
   */
  private smallestLook(): number {
    return Math.ceil(this.options.concurrency / 2);
  }

  /** One look at the queue: what is due is judged by the guard, held or claimed and posted. */
  private async look(now: number, wanted: number): Promise<void> {
    const due = await this.parts.queue.due(new Date(now), this.parts.slots.busy(now), wanted, [...this.held]);
    if (!due.length) {
      this.quietUntil = now + this.nextWait(now);
      return;
    }
    for (const message of due) this.held.add(message.id);
    try {
      const handedOver = await this.checkAndHandOver(await this.parts.slots.atMostOneSecondEach(due));
      if (handedOver < due.length || due.length < wanted) this.quietUntil = Date.now() + Math.min(this.nextWait(Date.now()), 50);
    } finally {
      for (const message of due) this.held.delete(message.id);
    }
  }

  private nextWait(now: number): number {
    return this.parts.slots.nextFreeIn(now, this.options.idlePollMs);
  }

  /**
   * The guard's verdict for each message, acted on; what may go takes its sender's slots only
   * now, and is claimed and posted at once, so that the pace holds where the carrier counts it.
   * Answers how many were handed over.
   */
  private async checkAndHandOver(messages: Message[]): Promise<number> {
    if (!messages.length) return 0;
    const state = await this.parts.guardState.load(messages, Date.now());
    const sendable: Message[] = [];
    for (const [index, message] of messages.entries()) {
      const verdict = judgeHandOver(message, index, state);
      if (verdict.kind === 'send') sendable.push(message);
      else await this.hold(message, verdict);
    }
    const granted = new Set(await this.parts.slots.take(sendable, Date.now()));
    const going = sendable.filter((m) => granted.has(m.id));
    // No more are claimed than there are free hand-over slots, each posted at once: a crash cuts off only what is on the wire.
    if (!going.length) return 0;
    const claimed = await this.claim(going);
    this.parts.watch?.(claimed);
    for (const message of claimed) this.track(this.parts.handOver.run(message));
    return going.length;
  }

  /** A message the guard stops: REJECTED with the check's error, or back to wait (window, other sender). */
  private async hold(message: Message, verdict: Exclude<HandOverVerdict, { kind: 'send' }>): Promise<void> {
    const { statuses } = this.parts;
    if (verdict.kind === 'cancelled' || verdict.kind === 'expired') {
      const expired = verdict.kind === 'expired';
      await statuses.transition(message, MessageStatus.FAILED, { code: expired ? SendErrorCode.EXPIRED : SendErrorCode.CAMPAIGN_CANCELLED, providerCode: null, message: expired ? EXPIRED_MESSAGE : CAMPAIGN_CANCELLED_MESSAGE });
      return;
    }
    if (verdict.kind === 'refuse') {
      const { code, providerCode, message: text } = verdict.error;
      await statuses.transition(message, MessageStatus.REJECTED, { code, providerCode, message: `refused at hand-over: ${text}` });
      this.parts.metrics.messagesSent.inc({ outcome: 'rejected-at-hand-over' });
      return;
    }
    await this.parts.queue.wait(message, verdict.kind === 'defer' ? verdict.until : new Date(), verdict.kind === 'reroute' ? verdict.sender : null);
  }

  /** Claims the messages this instance may hand over now; answers those it got. */
  private async claim(messages: Message[]): Promise<Message[]> {
    const now = new Date();
    const gotIds = await this.parts.queue.claim(messages.map((m) => m.id), this.parts.campaignNotCancelled('campaign_id'), now);
    return messages.filter((m) => gotIds.has(m.id)).map((m) => Object.assign(m, { status: MessageStatus.SENDING, updatedAt: now }));
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error) => this.parts.log.error({ err: error }, 'send queue: could not record a hand-over'))
      .finally(() => {
        this.inFlight.delete(tracked);
        if (this.options.concurrency - this.inFlight.size - this.reserved === this.smallestLook()) this.nudge();
      });
    this.inFlight.add(tracked);
  }

  /** Ends the loop's sleep, so that it sees whether a look may begin. */
  private nudge(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        this.woken = false;
        done();
      };
    });
  }
}
