import { In, type DataSource } from 'typeorm';
import { Message, MessageDirection, MessageStatus } from './message.entity';

/** What the pumping guard reads of the messages table (messaging's own): traffic to a number prefix. */
export class PrefixTraffic {
  constructor(private readonly dataSource: DataSource) {}

  /** Outbound messages of the account to numbers starting with the prefix, created in [from, to). */
  async outboundCount(accountId: number, prefix: string, from: Date, to: Date): Promise<number> {
    return this.dataSource.getRepository(Message).createQueryBuilder('m')
      .where('m.accountId = :accountId AND m.direction = :direction', { accountId, direction: MessageDirection.OUTBOUND })
      .andWhere('m.createdAt >= :from AND m.createdAt < :to', { from, to })
      .andWhere('m.to LIKE :prefix', { prefix: `${prefix}%` })
      .getCount();
  }

  /** Of these messages, how many reached a final status, and how many of those were delivered. */
  async deliveryOf(messageIds: readonly number[]): Promise<{ final: number; delivered: number }> {
    if (!messageIds.length) return { final: 0, delivered: 0 };
    const rows: Array<{ status: MessageStatus; n: number | string }> = await this.dataSource.getRepository(Message).createQueryBuilder('m')
      .select('m.status', 'status').addSelect('COUNT(*)', 'n')
      .where({ id: In([...messageIds]), status: In([MessageStatus.DELIVERED, MessageStatus.UNDELIVERED, MessageStatus.FAILED]) })
      .groupBy('m.status')
      .getRawMany();
    const count = (status: MessageStatus) => Number(rows.find((r) => r.status === status)?.n ?? 0);
    return { final: rows.reduce((sum, r) => sum + Number(r.n), 0), delivered: count(MessageStatus.DELIVERED) };
  }
}
