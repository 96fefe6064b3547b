import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { isDuplicateKeyError } from '../core/database';
import { execute, placeholders, sqlDate } from '../core/sql';
import { Message, MessageStatus } from './message.entity';

export interface StoredSid {
  id: number;
  sid: string;
  attempts: number;
  response: string;
}

/**
 * The send queue's statements on the messages table, in one place: what is due, the claim that
 * makes a hand-over this instance's, sids stored, and the look-ups of hand-overs that were cut
 * off or went quiet. Every change is a compare-and-set on the row's status (and claim), so that
 * instances sharing the table never act twice on one message.
 */
export class SendQueueRepository {
  constructor(private readonly dataSource: DataSource) {}

  private date(value: Date): Date | string {
    return sqlDate(this.dataSource, value);
  }

  /**
   * QUEUED messages due at `now`, in queue order, leaving out senders with no free slot and the
   * messages another look has in hand: whole rows, so that a look costs one query before the guard's.
   */
  async due(now: Date, busySenders: number[], limit: number, leaveOut: number[] = []): Promise<Message[]> {
    const query = this.dataSource.getRepository(Message).createQueryBuilder('m')
      .where('m.status = :queued AND m.sendAfter <= :now', { queued: MessageStatus.QUEUED, now: this.date(now) })
      .orderBy('m.sendAfter', 'ASC').addOrderBy('m.id', 'ASC').limit(limit);
    if (busySenders.length) query.andWhere('m.senderId NOT IN (:...busySenders)', { busySenders });
    if (leaveOut.length) query.andWhere('m.id NOT IN (:...leaveOut)', { leaveOut });
    return query.getMany();
  }

  byIds(ids: number[]): Promise<Message[]> {
    return ids.length ? this.dataSource.getRepository(Message).findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  /** A QUEUED message waits again: until `sendAfter`, from `sender` (a reroute) or its own. */
  async wait(message: Message, sendAfter: Date, sender: { id: number; value: string } | null): Promise<void> {
    await execute(this.dataSource,
      'UPDATE messages SET send_after = ?, sender_id = ?, from_address = ?, updated_at = ? WHERE id = ? AND status = ?',
      [this.date(sendAfter), sender?.id ?? message.senderId, sender?.value ?? message.from, this.date(new Date()), message.id, MessageStatus.QUEUED]);
  }

  /** Claims for this instance those of `ids` still QUEUED whose campaign (per `notCancelled`) goes on; answers the ids it got. */
  async claim(ids: number[], notCancelled: string, at: Date): Promise<Set<number>> {
    const claim = randomUUID();
    const changed = await execute(this.dataSource,
      `UPDATE messages SET status = ?, send_claim = ?, updated_at = ? WHERE id IN (${placeholders(ids.length)}) AND status = ? AND ${notCancelled}`,
      [MessageStatus.SENDING, claim, this.date(at), ...ids, MessageStatus.QUEUED]);
    return this.marked(ids, claim, changed);
  }

  /** A hand-over the carrier surely did not take goes back to the queue; false when something else moved it first. */
  async requeue(id: number, sendAfter: Date, attempts: number, response: string): Promise<boolean> {
    const changed = await execute(this.dataSource,
      `UPDATE messages SET status = ?, send_claim = NULL, send_after = ?, attempts = ?, last_provider_response = ?, updated_at = ?
       WHERE id = ? AND status = ? AND provider_sid IS NULL`,
      [MessageStatus.QUEUED, this.date(sendAfter), attempts, response.slice(0, 500), this.date(new Date()), id, MessageStatus.SENDING]);
    return changed === 1;
  }

  /**
   * Stores the sids of hand-overs still SENDING without one; answers the ids this write stored
   * (another instance's reconciler may have stored some first). A sid some other row holds
   * already (a look-up that matched twice) does not block the rest.
   */
  async storeSids(batch: StoredSid[], at: Date, manager: EntityManager = this.dataSource.manager): Promise<Set<number>> {
    const token = `sid:${randomUUID()}`;
    const cases = batch.map(() => 'WHEN ? THEN ?').join(' ');
    const pairs = (value: (s: StoredSid) => unknown) => batch.flatMap((s) => [s.id, value(s)]);
    let changed: number;
    try {
      changed = await execute(manager,
        `UPDATE messages SET provider_sid = CASE id ${cases} END, attempts = CASE id ${cases} END, last_provider_response = CASE id ${cases} END,
         send_claim = ?, updated_at = ? WHERE id IN (${placeholders(batch.length)}) AND provider_sid IS NULL AND status = ?`,
        [...pairs((s) => s.sid), ...pairs((s) => s.attempts), ...pairs((s) => s.response.slice(0, 500)), token, this.date(at),
          ...batch.map((s) => s.id), MessageStatus.SENDING]);
    } catch (error) {
      if (!isDuplicateKeyError(error) || batch.length === 1) throw error;
      const stored = new Set<number>();
      for (const one of batch) {
        for (const id of await this.storeSids([one], at, manager).catch(() => new Set<number>())) stored.add(id);
      }
      return stored;
    }
    return this.marked(batch.map((s) => s.id), token, changed, manager);
  }

  /** Runs `work` in one transaction of the queue's database. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Hand-overs left SENDING without a sid since before `olderThan`: cut off. */
  async orphans(olderThan: Date, limit: number): Promise<Message[]> {
    const rows: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM messages WHERE status = ? AND provider_sid IS NULL AND direction = 'OUTBOUND' AND updated_at < ? ORDER BY id LIMIT ${Number(limit)}`,
      [MessageStatus.SENDING, this.date(olderThan)]);
    return this.byIds(rows.map((r) => Number(r.id)));
  }

  /** Makes an orphan this instance's to resolve (compare-and-set on its last change), recording its attempts. */
  async takeOver(orphan: Message, at: Date): Promise<boolean> {
    const changed = await execute(this.dataSource,
      `UPDATE messages SET send_claim = ?, updated_at = ?, attempts = ?, last_provider_response = ?
       WHERE id = ? AND status = ? AND provider_sid IS NULL AND updated_at = ?`,
      [`rec:${randomUUID()}`, this.date(at), orphan.attempts, orphan.lastProviderResponse, orphan.id, MessageStatus.SENDING, this.date(orphan.updatedAt)]);
    return changed === 1;
  }

  /** Of these sids, those some message holds already. */
  async knownSids(sids: string[]): Promise<Set<string>> {
    if (!sids.length) return new Set();
    const rows: Array<{ provider_sid: string }> = await this.dataSource.query(
      `SELECT provider_sid FROM messages WHERE provider_sid IN (${placeholders(sids.length)})`, sids);
    return new Set(rows.map((r) => r.provider_sid));
  }

  /** Messages the carrier took that have had no news since `quietSince` (made after `madeAfter`). */
  async quiet(quietSince: Date, madeAfter: Date, limit: number): Promise<Message[]> {
    const rows: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM messages WHERE status IN (?, ?) AND provider_sid IS NOT NULL AND direction = 'OUTBOUND' AND updated_at < ? AND created_at > ?
       ORDER BY updated_at LIMIT ${Number(limit)}`,
      [MessageStatus.SENDING, MessageStatus.SENT, this.date(quietSince), this.date(madeAfter)]);
    return this.byIds(rows.map((r) => Number(r.id)));
  }

  /** Marks a quiet message as asked about at `at`, while its status is still `status`. */
  async touch(id: number, status: MessageStatus, at: Date): Promise<void> {
    await execute(this.dataSource, 'UPDATE messages SET updated_at = ? WHERE id = ? AND status = ?', [this.date(at), id, status]);
  }

  /** Which of `ids` the write that set `token` and changed `changed` rows got: all of them when it changed every row, no need to read them back. */
  private async marked(ids: number[], token: string, changed: number, manager: EntityManager = this.dataSource.manager): Promise<Set<number>> {
    if (changed === ids.length) return new Set(ids);
    const rows: Array<{ id: number }> = await manager.query(`SELECT id FROM messages WHERE id IN (${placeholders(ids.length)}) AND send_claim = ?`, [...ids, token]);
    return new Set(rows.map((r) => Number(r.id)));
  }
}
