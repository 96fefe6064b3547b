import { IsNull, LessThan, type DataSource, type EntityManager } from 'typeorm';
import { IdempotencyKey } from './idempotency-key.entity';

/** sendMessage's idempotency keys: each change a compare-and-set, so racing requests meet on the row. */
export class IdempotencyKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(IdempotencyKey);
  }

  /** Inserts the key; a duplicate-key error says another request holds it. */
  async insert(row: IdempotencyKey): Promise<void> {
    await this.repo.insert(row);
  }

  find(accountId: number, key: string): Promise<IdempotencyKey | null> {
    return this.repo.findOneBy({ accountId, key });
  }

  /** Deletes an expired key, unless it changed meanwhile. */
  async deleteCompleted(id: number, completedAt: Date): Promise<void> {
    await this.repo.delete({ id, completedAt });
  }

  /** Takes over a key left incomplete since `createdAt`; false when another request took it first. */
  async takeOver(id: number, createdAt: Date, now: Date): Promise<boolean> {
    return (await this.repo.update({ id, completedAt: IsNull(), createdAt }, { createdAt: now })).affected === 1;
  }

  async complete(id: number, messageId: number | null, refusal: string | null, completedAt: Date, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.update(IdempotencyKey, { id }, { messageId, refusal, completedAt });
  }

  /** Frees a key whose request did not complete. */
  async release(id: number): Promise<void> {
    await this.repo.delete({ id, completedAt: IsNull() });
  }

  /** Deletes the keys made before `before`; answers how many. */
  async purgeCreatedBefore(before: Date): Promise<number> {
    return (await this.repo.delete({ createdAt: LessThan(before) })).affected ?? 0;
  }
}
