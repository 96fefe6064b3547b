import { randomUUID } from 'node:crypto';
import { In, type DataSource } from 'typeorm';
import { Account, AccountStatus } from '../accounts/account.entity';
import type { SmsProvider } from '../carrier/twilio-client';
import type { Logger } from '../core/logger';
import type { Metrics } from '../core/metrics';
import { SendErrorCode } from '../core/send-error';
import { Sender } from '../groups/sender.entity';
import type { DeliveryEvents } from './delivery-events';
import { Message, MessageStatus } from './message.entity';
import type { SenderPacer } from './sender-pacer';
import { execute, placeholders, sqlDate } from '../core/sql';
import type { StatusService } from './status.service';

export interface DispatcherOptions {
  /** Rows read per look at the queue. */
  batchSize: number;
  /** Hand-overs in flight at once. */
  concurrency: number;
  /** Longest wait between looks at the queue when nothing wakes it (other instances' work). */
  idlePollMs: number;
}

const DEFAULTS: DispatcherOptions = { batchSize: 500, concurrency: 200, idlePollMs: 250 };

export const OUTCOME_UNKNOWN =
  'the hand-over to the provider was cut off (the server stopped while sending), so nobody knows whether it left; it is not sent again';

/**
 * The durable send queue is the messages table: QUEUED rows whose sendAfter has passed leave
 * in (sendAfter, id) order, each sender at most maxPerSecond. A row is claimed (SENDING, with a
 * claim token) before the provider call, so that no instance hands it over twice.
 */
export class Dispatcher {
  private readonly options: DispatcherOptions;
  /** maxPerSecond of each sender met so far (a sender's rate does not change). */
  private readonly rates = new Map<number, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private pendingSids: Array<{ id: number; sid: string }> = [];
  private sidFlush: Promise<void> | null = null;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private accountStatus = new Map<number, { suspended: boolean; at: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly provider: SmsProvider,
    private readonly statuses: StatusService,
    private readonly deliveryEvents: DeliveryEvents,
    private readonly statusCallbackUrl: string,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly pacer: SenderPacer,
    options: Partial<DispatcherOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.failInterruptedHandOvers();
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops taking new work and waits for the hand-overs in flight to be recorded. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.inFlight]);
    await this.flushSids();
  }

  /** New work is queued: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Waits (at most timeoutMs) for the hand-overs in flight now to be recorded: a status callback
   * can arrive before the provider's answer carrying its sid has been stored.
   */
  async settle(timeoutMs: number): Promise<void> {
    const pending = [...this.inFlight];
    if (!pending.length && !this.pendingSids.length) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(pending).then(() => this.flushSids()),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  /**
   * A message found SENDING without a provider sid was being handed over when the process
   * stopped: it may or may not have left, so it is failed, never sent again.
   */
  async failInterruptedHandOvers(): Promise<number> {
    const claim = randomUUID();
    const now = new Date();
    const count = await execute(this.dataSource,
      `UPDATE messages SET status = ?, error_code = ?, provider_code = NULL, error_message = ?, send_claim = ?, updated_at = ?
       WHERE status = ? AND provider_sid IS NULL AND direction = 'OUTBOUND'`,
      [MessageStatus.FAILED, SendErrorCode.PROVIDER_ERROR, OUTCOME_UNKNOWN, claim, sqlDate(this.dataSource, now), MessageStatus.SENDING]);
    if (count) {
      const rows = await this.claimed(claim);
      this.log.warn({ count }, 'messages whose hand-over was cut off are marked FAILED (outcome unknown), not resent');
      await this.deliveryEvents.publish(rows.map((message) => ({ message, previousStatus: MessageStatus.SENDING })), now);
    }
    return count;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let delay = this.options.idlePollMs;
      try {
        delay = await this.tick();
      } catch (error) {
        this.log.error({ err: error }, 'send queue: could not read the queue; retrying');
        delay = 1000;
      }
      if (delay > 0 && this.running) await this.sleep(delay);
    }
  }

  /** One look at the queue; answers how long to wait before the next. */
  private async tick(): Promise<number> {
    const room = this.options.concurrency - this.inFlight.size;
    // A look at the queue costs a few queries: take work in batches, not one slot at a time.
    if (room < Math.ceil(this.options.concurrency / 2) && this.inFlight.size > 0) return this.options.idlePollMs;
    const now = Date.now();
    const blocked = this.pacer.busy(now);
    const params: unknown[] = [MessageStatus.QUEUED, sqlDate(this.dataSource, new Date(now)), ...blocked, Math.min(room, this.options.batchSize)];
    const due: Array<{ id: number; sender_id: number | null }> = await this.dataSource.query(
      `SELECT id, sender_id FROM messages WHERE status = ? AND send_after <= ?
       ${blocked.length ? `AND sender_id NOT IN (${placeholders(blocked.length)})` : ''}
       ORDER BY send_after, id LIMIT ?`, params);
    if (!due.length) return this.nextWait(now);
    const picked = await this.pace(due, now);
    if (picked.length) await this.claimAndHandOver(picked);
    return picked.length === due.length && due.length >= Math.min(room, this.options.batchSize) ? 0 : Math.min(this.nextWait(Date.now()), 50);
  }

  private nextWait(now: number): number {
    let wait = this.options.idlePollMs;
    for (const senderId of this.pacer.busy(now)) wait = Math.min(wait, this.pacer.nextFreeAt(senderId, now) - now);
    return Math.max(1, wait);
  }

  private async claimAndHandOver(ids: number[]): Promise<void> {
    const claim = randomUUID();
    const now = new Date();
    await execute(this.dataSource,
      `UPDATE messages SET status = ?, send_claim = ?, updated_at = ? WHERE id IN (${placeholders(ids.length)}) AND status = ?
       AND (campaign_id IS NULL OR campaign_id NOT IN (SELECT id FROM campaigns WHERE status = 'CANCELLED'))`,
      [MessageStatus.SENDING, claim, sqlDate(this.dataSource, now), ...ids, MessageStatus.QUEUED]);
    const messages = (await this.claimed(claim, ids)).sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
    if (!messages.length) return;
    await this.deliveryEvents.publish(messages.map((message) => ({ message, previousStatus: MessageStatus.QUEUED })), now);
    const suspended = await this.suspendedAccounts(messages.map((m) => m.accountId));
    for (const message of messages) {
      const task = (suspended.has(message.accountId) ? this.refuseSuspended(message) : this.handOver(message)).catch((error) => {
        this.log.error({ err: error, messageId: message.id }, 'send queue: could not record a hand-over');
      });
      const tracked = task.finally(() => {
        this.inFlight.delete(tracked);
        if (this.inFlight.size === Math.floor(this.options.concurrency / 2)) this.wake();
      });
      this.inFlight.add(tracked);
    }
  }

  private async handOver(message: Message): Promise<void> {
    const result = await this.provider.send({ to: message.to, from: message.from, body: message.body, statusCallback: this.statusCallbackUrl });
    this.metrics.messagesSent.inc({ outcome: result.outcome });
    if (result.outcome === 'accepted') {
      this.pendingSids.push({ id: message.id, sid: result.sid });
      this.scheduleSidFlush();
      return;
    }
    this.log.warn({ messageId: message.id, result }, 'the provider did not take a message');
    await this.statuses.transition(message, MessageStatus.FAILED, {
      code: SendErrorCode.PROVIDER_ERROR,
      providerCode: result.outcome === 'refused' ? result.providerCode : null,
      message: result.message,
    });
  }

  private async refuseSuspended(message: Message): Promise<void> {
    await this.statuses.transition(message, MessageStatus.FAILED, {
      code: SendErrorCode.ACCOUNT_SUSPENDED,
      providerCode: null,
      message: 'the account was suspended before this message left',
    });
  }

  /** Accepted sids are stored in batches: one UPDATE for many hand-overs. */
  private scheduleSidFlush(): void {
    if (this.sidFlush) return;
    this.sidFlush = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.writeSids());
  }

  private async flushSids(): Promise<void> {
    while (this.sidFlush || this.pendingSids.length) {
      if (this.sidFlush) await this.sidFlush;
      else this.scheduleSidFlush();
    }
  }

  private async writeSids(): Promise<void> {
    try {
      while (this.pendingSids.length) {
        const batch = this.pendingSids.splice(0, 500);
        const cases = batch.map(() => 'WHEN ? THEN ?').join(' ');
        await execute(this.dataSource,
          `UPDATE messages SET provider_sid = CASE id ${cases} END, updated_at = ? WHERE id IN (${placeholders(batch.length)}) AND provider_sid IS NULL`,
          [...batch.flatMap((b) => [b.id, b.sid]), sqlDate(this.dataSource, new Date()), ...batch.map((b) => b.id)]);
      }
    } catch (error) {
      this.log.error({ err: error }, 'send queue: could not store provider sids');
    } finally {
      this.sidFlush = null;
    }
  }

  private async claimed(claim: string, ids?: number[]): Promise<Message[]> {
    const rows: Array<{ id: number }> = ids
      ? await this.dataSource.query(`SELECT id FROM messages WHERE id IN (${placeholders(ids.length)}) AND send_claim = ?`, [...ids, claim])
      : await this.dataSource.query('SELECT id FROM messages WHERE send_claim = ?', [claim]);
    const found: Message[] = [];
    for (let i = 0; i < rows.length; i += 1000) {
      found.push(...(await this.dataSource.getRepository(Message).findBy({ id: In(rows.slice(i, i + 1000).map((r) => Number(r.id))) })));
    }
    return found;
  }

  /** The due rows whose sender has a free slot now, in queue order. */
  private async pace(due: Array<{ id: number; sender_id: number | null }>, now: number): Promise<number[]> {
    const wanted = new Map<number, number>();
    for (const row of due) if (row.sender_id !== null) wanted.set(Number(row.sender_id), (wanted.get(Number(row.sender_id)) ?? 0) + 1);
    await this.loadRates([...wanted.keys()]);
    const granted = await this.pacer.take([...wanted].map(([senderId, count]) => ({ senderId, perSecond: this.rates.get(senderId) ?? 1, wanted: count })), now);
    const picked: number[] = [];
    for (const row of due) {
      if (row.sender_id === null) {
        picked.push(Number(row.id));
        continue;
      }
      const left = granted.get(Number(row.sender_id)) ?? 0;
      if (left > 0) {
        granted.set(Number(row.sender_id), left - 1);
        picked.push(Number(row.id));
      }
    }
    return picked;
  }

  private async loadRates(senderIds: number[]): Promise<void> {
    const missing = senderIds.filter((id) => !this.rates.has(id));
    if (!missing.length) return;
    const senders = await this.dataSource.getRepository(Sender).find({ select: { id: true, maxPerSecond: true }, where: { id: In(missing) } });
    for (const sender of senders) this.rates.set(sender.id, Number(sender.maxPerSecond));
  }

  /** Suspension is looked up at most every two seconds per account (and its parent). */
  private async suspendedAccounts(accountIds: number[]): Promise<Set<number>> {
    const now = Date.now();
    const stale = [...new Set(accountIds)].filter((id) => (this.accountStatus.get(id)?.at ?? 0) < now - 2000);
    if (stale.length) {
      const accounts = await this.dataSource.getRepository(Account).findBy({ id: In(stale) });
      const parentIds = accounts.map((a) => a.parentId).filter((id): id is number => id !== null);
      const parents = parentIds.length ? await this.dataSource.getRepository(Account).findBy({ id: In(parentIds) }) : [];
      const parentSuspended = new Map(parents.map((p) => [p.id, p.status === AccountStatus.SUSPENDED]));
      for (const account of accounts) {
        const suspended = account.status === AccountStatus.SUSPENDED || (account.parentId !== null && parentSuspended.get(account.parentId) === true);
        this.accountStatus.set(account.id, { suspended, at: now });
      }
    }
    return new Set(accountIds.filter((id) => this.accountStatus.get(id)?.suspended));
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
