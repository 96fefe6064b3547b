import { In, type DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import { aliasedColumns, hydrateAliased } from '../core/aliased-rows';
import { placeholders } from '../core/sql';
import { Sender } from './sender.entity';
import { SubscriptionGroup } from './subscription-group.entity';

export type NewSubscriptionGroup = Omit<SubscriptionGroup, 'id'>;

/** The subscription_groups table. */
export class SubscriptionGroupRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(SubscriptionGroup);
  }

  findById(id: number): Promise<SubscriptionGroup | null> {
    return this.repo.findOneBy({ id });
  }

  findByIdOrFail(id: number): Promise<SubscriptionGroup> {
    return this.repo.findOneByOrFail({ id });
  }

  findByIds(ids: readonly number[]): Promise<SubscriptionGroup[]> {
    return this.repo.findBy({ id: In([...ids]) });
  }

  /**
   * Groups with their senders in service, oldest first, in one statement (a LEFT JOIN of this
   * domain's two tables): the send queue reads them for every batch it hands over. Unknown
   * groups are left out.
   */
  async withActiveSenders(ids: readonly number[]): Promise<Array<{ group: SubscriptionGroup; senders: Sender[] }>> {
    const rows: ObjectLiteral[] = await this.dataSource.query(
      `SELECT ${aliasedColumns(this.dataSource, SubscriptionGroup, 'g')}, ${aliasedColumns(this.dataSource, Sender, 's')}
       FROM subscription_groups g LEFT JOIN senders s ON s.group_id = g.id AND s.removed_at IS NULL
       WHERE g.id IN (${placeholders(ids.length)}) ORDER BY g.id, s.id`, [...ids]);
    const found = new Map<number, { group: SubscriptionGroup; senders: Sender[] }>();
    for (const row of rows) {
      const id = Number(row.g_id);
      let entry = found.get(id);
      if (!entry) found.set(id, (entry = { group: hydrateAliased(this.dataSource, SubscriptionGroup, 'g', row)!, senders: [] }));
      const sender = hydrateAliased(this.dataSource, Sender, 's', row);
      if (sender) entry.senders.push(sender);
    }
    return [...found.values()];
  }

  /** groupId -> its account, in one query; unknown groups are left out. */
  async accountIdsOf(ids: readonly number[]): Promise<Map<number, number>> {
    const rows = await this.repo.find({ select: { id: true, accountId: true }, where: { id: In([...ids]) } });
    return new Map(rows.map((g) => [g.id, g.accountId]));
  }

  /** An account's groups, oldest first. */
  groupsOfAccount(accountId: number): Promise<SubscriptionGroup[]> {
    return this.repo.find({ where: { accountId }, order: { id: 'ASC' } });
  }

  async add(values: NewSubscriptionGroup, manager: EntityManager = this.dataSource.manager): Promise<SubscriptionGroup> {
    const group = manager.create(SubscriptionGroup, values);
    await manager.save(group);
    return group;
  }

  async change(id: number, changes: Partial<NewSubscriptionGroup>): Promise<void> {
    await this.repo.update({ id }, changes);
  }
}
