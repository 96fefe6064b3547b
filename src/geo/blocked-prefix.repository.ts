import { In, type DataSource } from 'typeorm';
import { BlockedPrefix } from './blocked-prefix.entity';

export type NewBlockedPrefix = Omit<BlockedPrefix, 'id'>;

/** The blocked_prefixes table; (account, prefix) is unique, so a second block of one prefix fails as a duplicate key. */
export class BlockedPrefixRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(BlockedPrefix);
  }

  async add(values: NewBlockedPrefix): Promise<BlockedPrefix> {
    return this.repo.save(this.repo.create(values));
  }

  findById(id: number): Promise<BlockedPrefix | null> {
    return this.repo.findOneBy({ id });
  }

  async remove(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  /** The blocks these accounts hold, by prefix. */
  blocksHeldBy(accountIds: readonly number[]): Promise<BlockedPrefix[]> {
    return this.repo.find({ where: { accountId: In([...accountIds]) }, order: { prefix: 'ASC', id: 'ASC' } });
  }
}
