import { In, IsNull, type DataSource } from 'typeorm';
import { FrequencyCap } from './frequency-cap.entity';

/** Whose caps a list is: an account's own (groupId null) or one group's. */
export interface CapOwner {
  accountId: number;
  groupId: number | null;
}

/** The frequency_caps table. */
export class FrequencyCapRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caps of these accounts and of their groups, oldest first, in one query. */
  async ofAccounts(accountIds: readonly number[]): Promise<FrequencyCap[]> {
    return accountIds.length ? this.dataSource.getRepository(FrequencyCap).find({ where: { accountId: In([...new Set(accountIds)]) }, order: { id: 'ASC' } }) : [];
  }

  /** The caps of an account (groupId null) or of one group, oldest first. */
  of(accountId: number, groupId: number | null): Promise<FrequencyCap[]> {
    return this.dataSource.getRepository(FrequencyCap).find({ where: { accountId, groupId: groupId === null ? IsNull() : groupId }, order: { id: 'ASC' } });
  }

  /** The owner's whole list replaced, in one transaction. */
  async replace(owner: CapOwner, rules: ReadonlyArray<Pick<FrequencyCap, 'maxMessages' | 'windowSeconds'>>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(FrequencyCap, owner.groupId === null ? { accountId: owner.accountId, groupId: IsNull() } : { groupId: owner.groupId });
      const now = new Date();
      if (rules.length) await manager.insert(FrequencyCap, rules.map((rule) => ({ ...owner, ...rule, createdAt: now })));
    });
  }
}
