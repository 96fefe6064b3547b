import { In, type DataSource, type EntityManager } from 'typeorm';
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
