import { LRUCache } from 'lru-cache';
import type { Sender } from '../groups/sender.entity';
import type { SenderPacer } from './sender-pacer';

interface Queued {
  id: number;
  senderId: number | null;
}

/**
 * Each sender's pace at the hand-over: how many of its due messages a look takes, and which of
 * them get one of its slots now (the pacer counts them, across instances where it is shared).
 */
export class SenderSlots {
  /** maxPerSecond of the senders met lately (a sender's rate does not change). */
  private readonly rates = new LRUCache<number, number>({ max: 10_000 });

  constructor(
    private readonly senders: (ids: number[]) => Promise<Sender[]>,
    private readonly pacer: SenderPacer,
  ) {}

  /** Senders with no free slot at `now`: the queue leaves their messages for later. */
  busy(now: number): number[] {
    return this.pacer.busy(now);
  }

  /** How long until a busy sender has a slot again, at most `longest`. */
  nextFreeIn(now: number, longest: number): number {
    let wait = longest;
    for (const senderId of this.pacer.busy(now)) wait = Math.min(wait, this.pacer.nextFreeAt(senderId, now) - now);
    return Math.max(1, wait);
  }

  /** No more of a sender's rows than a second of its pace could take: the guard reads the state only for those. */
  async atMostOneSecondEach<T extends Queued>(due: T[]): Promise<T[]> {
    await this.loadRates([...new Set(due.map((r) => r.senderId).filter((id): id is number => id !== null))]);
    const taken = new Map<number, number>();
    return due.filter((row) => {
      if (row.senderId === null) return true;
      const count = taken.get(row.senderId) ?? 0;
      taken.set(row.senderId, count + 1);
      return count < Math.max(1, Math.floor(this.rates.get(row.senderId) ?? 1));
    });
  }

  /** The ids of the rows whose sender has a free slot now, in queue order; the slots are taken. */
  async take(due: Queued[], now: number): Promise<number[]> {
    const wanted = new Map<number, number>();
    for (const row of due) if (row.senderId !== null) wanted.set(row.senderId, (wanted.get(row.senderId) ?? 0) + 1);
    await this.loadRates([...wanted.keys()]);
    const granted = await this.pacer.take([...wanted].map(([senderId, count]) => ({ senderId, perSecond: this.rates.get(senderId) ?? 1, wanted: count })), now);
    const picked: number[] = [];
    for (const row of due) {
      if (row.senderId === null) {
        picked.push(row.id);
        continue;
      }
      const left = granted.get(row.senderId) ?? 0;
      if (left > 0) {
        granted.set(row.senderId, left - 1);
        picked.push(row.id);
      }
    }
    return picked;
  }

  private async loadRates(senderIds: number[]): Promise<void> {
    const missing = senderIds.filter((id) => !this.rates.has(id));
    if (!missing.length) return;
    for (const sender of await this.senders(missing)) this.rates.set(sender.id, Number(sender.maxPerSecond));
  }
}
