import { In, LessThan, type DataSource } from 'typeorm';
import { placeholders } from '../core/sql';
import { EarlyStatusCallback } from './early-status-callback.entity';
import type { MessageStatus } from './message.entity';

/** Status callbacks kept until the sid of their message is stored. */
export class EarlyStatusCallbackRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(EarlyStatusCallback);
  }

  /** Whether any callback is kept for these sids: a plain query, since the answer is nearly always no. */
  async anyFor(sids: readonly string[]): Promise<boolean> {
    const any: unknown[] = await this.dataSource.query(`SELECT 1 AS one FROM early_status_callbacks WHERE provider_sid IN (${placeholders(sids.length)}) LIMIT 1`, [...sids]);
    return any.length > 0;
  }

  keptFor(sids: readonly string[]): Promise<EarlyStatusCallback[]> {
    return this.repo.findBy({ providerSid: In([...sids]) });
  }

  async forget(ids: readonly number[]): Promise<void> {
    if (ids.length) await this.repo.delete({ id: In([...ids]) });
  }

  /** The sids of kept callbacks whose message holds its sid by now. */
  async sidsStored(): Promise<string[]> {
    const rows: Array<{ provider_sid: string }> = await this.dataSource.query(
      'SELECT DISTINCT e.provider_sid FROM early_status_callbacks e JOIN messages m ON m.provider_sid = e.provider_sid');
    return rows.map((r) => r.provider_sid);
  }

  /** Drops the callbacks received before `before`; answers how many. */
  async dropReceivedBefore(before: Date): Promise<number> {
    return (await this.repo.delete({ receivedAt: LessThan(before) })).affected ?? 0;
  }

  /** Keeps a callback; a duplicate-key error says it is kept already. */
  async keep(callback: { providerSid: string; status: MessageStatus; rawStatus: string; errorCode: number | null; receivedAt: Date }): Promise<void> {
    await this.repo.insert(callback);
  }
}
