import { In, type DataSource, type EntityManager } from 'typeorm';
import { Account, type AccountStatus } from './account.entity';

export type NewAccount = Omit<Account, 'id' | 'isMaster' | 'rootId'>;

/** The accounts table. */
export class AccountRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Account);
  }

  findById(id: number): Promise<Account | null> {
    return this.repo.findOneBy({ id });
  }

  /** An account known to exist (a key's own, a subaccount's parent). */
  findByIdOrFail(id: number): Promise<Account> {
    return this.repo.findOneByOrFail({ id });
  }

  findByIds(ids: readonly number[]): Promise<Account[]> {
    return this.repo.findBy({ id: In([...ids]) });
  }

  /** Each account's parent (null for a master), in one query; unknown ids are left out. */
  parentLinks(ids: readonly number[]): Promise<Array<Pick<Account, 'id' | 'parentId'>>> {
    return this.repo.find({ select: { id: true, parentId: true }, where: { id: In([...ids]) } });
  }

  async subaccountIdsOf(parentId: number): Promise<number[]> {
    return (await this.repo.find({ select: { id: true }, where: { parentId } })).map((s) => s.id);
  }

  /** The subaccounts of many masters in one query, oldest first. */
  subaccountsOf(parentIds: readonly number[]): Promise<Account[]> {
    return this.repo.find({ where: { parentId: In([...parentIds]) }, order: { id: 'ASC' } });
  }

  async add(values: NewAccount, manager: EntityManager = this.dataSource.manager): Promise<Account> {
    const account = manager.create(Account, values);
    await manager.save(account);
    return account;
  }

  async setStatus(id: number, status: AccountStatus, suspensionReason: string | null): Promise<void> {
    await this.repo.update({ id }, { status, suspensionReason });
  }

  async setInheritsGeoPermissions(id: number, inherit: boolean, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.update(Account, { id }, { inheritsGeoPermissions: inherit });
  }
}
