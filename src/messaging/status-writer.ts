import type { DataSource, EntityManager } from 'typeorm';
import { GroupedWriter } from '../core/grouped-writer';
import type { Change, DeliveryEvents } from './delivery-events';
import type { Message, MessageStatus } from './message.entity';
import type { MessageRepository } from './message.repository';

/** One compare-and-set of a message's status, with the event that tells it. */
export interface StatusWrite {
  id: number;
  from: MessageStatus;
  changes: Partial<Message>;
  change: Change;
  /** Its `message.status` webhook event is stored in the write's own transaction. */
  recorded: boolean;
  at: Date;
}

// Writes that arrive while these are in flight go together in the next transaction.
const WRITES_IN_FLIGHT = 2;
const WRITE_BATCH = 200;

/** Thrown inside a shared transaction to roll it back: one of its messages had moved meanwhile. */
class MovedMeanwhile extends Error {}

/**
 * Stores status changes with group commit. The carrier calls back two or three times for every
 * message it takes, each callback one compare-and-set: autocommitted one by one, a campaign's
 * callbacks cost the database a commit each (over half of its CPU a message in the hand-over
 * with callbacks on) and the server a round trip each. Alone, a write is made at once as
 * before; under load, those that arrive while writes are in flight share one UPDATE and one
 * commit. Should any of a batch's messages have moved meanwhile (another instance, another
 * path), the batch rolls back and each write is made on its own, where its own compare-and-set
 * tells whether it changed; a fault fails every write of the batch.
 */
export class StatusWriter {
  private readonly grouped = new GroupedWriter<StatusWrite, boolean>({
    together: (writes) => this.writeTogether(writes),
    alone: (write) => this.writeAlone(write),
  }, { maxInFlight: WRITES_IN_FLIGHT, maxBatch: WRITE_BATCH });

  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessageRepository,
    private readonly deliveryEvents: DeliveryEvents,
  ) {}

  /** True when this write changed its message (false: it had moved from `from`). */
  write(write: StatusWrite): Promise<boolean> {
    return this.grouped.add(write);
  }

  private async writeTogether(writes: StatusWrite[]): Promise<boolean[]> {
    await this.dataSource.transaction(async (manager) => {
      if (await this.messages.changeStatusesWhere(writes, manager) !== writes.length) throw new MovedMeanwhile();
      await this.record(manager, writes);
    });
    return writes.map(() => true);
  }

  private async writeAlone(write: StatusWrite): Promise<boolean> {
    if (!write.recorded) return (await this.messages.changeStatusWhere(write.id, write.from, write.changes)) === 1;
    return this.dataSource.transaction(async (manager) => {
      const changed = (await this.messages.changeStatusWhere(write.id, write.from, write.changes, manager)) === 1;
      if (changed) await this.record(manager, [write]);
      return changed;
    });
  }

  /** The webhook events of the writes that want them, one statement for those of one moment. */
  private async record(manager: EntityManager, writes: StatusWrite[]): Promise<void> {
    const byMoment = new Map<number, Change[]>();
    for (const write of writes) {
      if (write.recorded) byMoment.set(write.at.getTime(), [...(byMoment.get(write.at.getTime()) ?? []), write.change]);
    }
    for (const [at, changes] of byMoment) await this.deliveryEvents.record(manager, changes, new Date(at));
  }
}
