import type { DataSource } from 'typeorm';
import type { SendErrorCode } from '../core/send-error';
import type { DeliveryEvents } from './delivery-events';
import { Message, MessageStatus } from './message.entity';
import type { MessageRepository } from './message.repository';
import { movesForward } from './message-status';
import { StatusWriter } from './status-writer';

export interface StatusError {
  code: SendErrorCode;
  providerCode: number | null;
  message: string;
}

export interface TransitionExtras {
  /** The hand-over's requests and the carrier's last answer, stored with the change. */
  attempts?: number;
  lastProviderResponse?: string | null;
  /**
   * The status the event names as previous. A message is SENDING in the table while its
   * hand-over runs, but that is announced only once the carrier took it: a hand-over that
   * fails goes from QUEUED, as its subscribers last heard.
   */
  announcedFrom?: MessageStatus;
}

/**
 * Every status change of a stored message goes through here: compare-and-set on the current
 * status, so that concurrent or repeated callbacks make at most one change each, statuses only
 * move forward, and each change publishes exactly one DeliveryEvent. The compare-and-sets are
 * group-committed (StatusWriter): changes that come together share a statement and a commit.
 */
export class StatusService {
  /** The last queued change of each message that has one in flight. */
  private readonly inFlight = new Map<number, Promise<unknown>>();

  private readonly writer: StatusWriter;

  constructor(
    dataSource: DataSource,
    private readonly messages: MessageRepository,
    private readonly deliveryEvents: DeliveryEvents,
  ) {
    this.writer = new StatusWriter(dataSource, messages, deliveryEvents);
  }

  /**
   * Moves the message to `to` when that is forward; answers the changed message, or null for a no-op.
   * Changes of one message run one after another in this process, so that its events are
   * published in the order its statuses were stored (SENT before DELIVERED), not in the order
   * concurrent callbacks happen to finish.
   */
  transition(messageOrId: Message | number, to: MessageStatus, error: StatusError | null = null, extras: TransitionExtras = {}): Promise<Message | null> {
    const id = typeof messageOrId === 'number' ? messageOrId : messageOrId.id;
    return this.inTurn([id], () => this.compareAndSet(messageOrId, to, error, extras));
  }

  /**
   * Runs `work` once every change in flight for these messages is done, and holds their later
   * changes until it is: the sid recorder announces SENDING this way, so that a `sent` callback
   * racing the announcement is published after it.
   */
  inTurn<T>(ids: readonly number[], work: () => Promise<T>): Promise<T> {
    const previous = ids.map((id) => this.inFlight.get(id)).filter((p): p is Promise<unknown> => p !== undefined);
    const result = Promise.allSettled(previous).then(work);
    const settled = result.catch(() => undefined);
    for (const id of ids) {
      this.inFlight.set(id, settled);
      void settled.then(() => {
        if (this.inFlight.get(id) === settled) this.inFlight.delete(id);
      });
    }
    return result;
  }

  private async compareAndSet(messageOrId: Message | number, to: MessageStatus, error: StatusError | null, extras: TransitionExtras): Promise<Message | null> {
    let message = typeof messageOrId === 'number' ? await this.messages.byId(messageOrId) : messageOrId;
    for (let attempt = 0; message && attempt < 5; attempt++) {
      if (!mayMove(message.status, to)) return null;
      const { id, status: previous } = message;
      const now = new Date();
      const changes: Partial<Message> = { status: to, updatedAt: now };
      if (error) Object.assign(changes, { errorCode: error.code, providerCode: error.providerCode, errorMessage: error.message.slice(0, 500) });
      if (extras.attempts !== undefined) changes.attempts = extras.attempts;
      if (extras.lastProviderResponse !== undefined) changes.lastProviderResponse = extras.lastProviderResponse?.slice(0, 500) ?? null;
      const change = { message: Object.assign(new Message(), message, changes), previousStatus: extras.announcedFrom ?? previous };
      // With a webhook for it, the event is stored in the change's own transaction: both or neither.
      const recorded = await this.deliveryEvents.wantsRecord(message.accountId);
      if (await this.writer.write({ id, from: previous, changes, change, recorded, at: now })) {
        await this.deliveryEvents.publish([change], now, recorded);
        return change.message;
      }
      // Someone else changed it first: decide again from what is stored now.
      message = await this.messages.byId(id);
    }
    return null;
  }
}

/** Forward moves, and the gateway's own refusal of a message still waiting in the queue. */
function mayMove(from: MessageStatus, to: MessageStatus): boolean {
  return to === MessageStatus.REJECTED ? from === MessageStatus.QUEUED : movesForward(from, to);
}
