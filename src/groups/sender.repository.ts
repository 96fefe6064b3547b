import { In, IsNull, type DataSource } from 'typeorm';
import { Sender } from './sender.entity';

export type SenderFacts = Pick<Sender, 'id' | 'groupId' | 'value'>;

/** The senders table; a removed sender keeps its row, with no active value. */
export class SenderRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Sender);
  }

  findById(id: number): Promise<Sender | null> {
    return this.repo.findOneBy({ id });
  }

  findByIds(ids: readonly number[]): Promise<Sender[]> {
    return this.repo.findBy({ id: In([...ids]) });
  }

  /** senderId -> its group and number, removed senders included, in one query. */
  async factsOf(ids: readonly number[]): Promise<Map<number, SenderFacts>> {
    const rows = await this.repo.find({ select: { id: true, groupId: true, value: true }, where: { id: In([...ids]) } });
    return new Map(rows.map((s) => [s.id, { id: s.id, groupId: s.groupId, value: s.value }]));
  }

  /** The senders in service of one group, oldest first. */
  activeSendersOf(groupId: number): Promise<Sender[]> {
    return this.repo.find({ where: { groupId, removedAt: IsNull() }, order: { id: 'ASC' } });
  }

  /** The senders in service of many groups in one query, oldest first. */
  activeSendersOfGroups(groupIds: readonly number[]): Promise<Sender[]> {
    return this.repo.find({ where: { groupId: In([...groupIds]), removedAt: IsNull() }, order: { id: 'ASC' } });
  }

  /** The sender in service that holds this value, in any group. */
  holderOf(activeValue: string): Promise<Sender | null> {
    return this.repo.findOneBy({ activeValue });
  }

  /** Stores a new sender; a value already in service fails as a duplicate key. */
  async add(values: Omit<Sender, 'id'>): Promise<Sender> {
    const sender = this.repo.create(values);
    await this.repo.insert(sender);
    return sender;
  }

  /** Takes the sender out of service and frees its value, unless it already was. */
  async markRemoved(id: number, at: Date): Promise<void> {
    await this.repo.update({ id, removedAt: IsNull() }, { removedAt: at, activeValue: null });
  }
}
