import { In, type DataSource, type EntityManager } from 'typeorm';
import { KeywordSet, type KeywordCategory } from './keyword-set.entity';

export type NewKeywordSet = Omit<KeywordSet, 'id'>;

/** The keyword_sets table: one set per group and category. */
export class KeywordSetRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The sets of many groups in one query, in no order. */
  setsOfGroups(groupIds: readonly number[]): Promise<KeywordSet[]> {
    return this.dataSource.getRepository(KeywordSet).findBy({ groupId: In([...groupIds]) });
  }

  setsOfGroup(groupId: number, manager: EntityManager = this.dataSource.manager): Promise<KeywordSet[]> {
    return manager.findBy(KeywordSet, { groupId });
  }

  findSet(groupId: number, category: KeywordCategory, manager: EntityManager = this.dataSource.manager): Promise<KeywordSet | null> {
    return manager.findOneBy(KeywordSet, { groupId, category });
  }

  /** Adds the sets in one statement. */
  async add(sets: NewKeywordSet | NewKeywordSet[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(KeywordSet, sets);
  }

  async change(id: number, changes: Pick<KeywordSet, 'keywords' | 'reply'>, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.update(KeywordSet, { id }, changes);
  }
}
