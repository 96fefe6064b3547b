import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { ApiKey } from './api-key.entity';

export type NewApiKey = Omit<ApiKey, 'id'>;

/** The api_keys table: only a secret's hash is ever stored. */
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ApiKey);
  }

  async add(values: NewApiKey, manager: EntityManager = this.dataSource.manager): Promise<ApiKey> {
    const apiKey = manager.create(ApiKey, values);
    await manager.save(apiKey);
    return apiKey;
  }

  findById(id: number): Promise<ApiKey | null> {
    return this.repo.findOneBy({ id });
  }

  /** The key of this secret's hash, unless revoked. */
  findActiveBySecretHash(secretHash: string): Promise<ApiKey | null> {
    return this.repo.findOneBy({ secretHash, revokedAt: IsNull() });
  }

  /** The keys of many accounts in one query, oldest first. */
  keysOfAccounts(accountIds: readonly number[]): Promise<ApiKey[]> {
    return this.repo.find({ where: { accountId: In([...accountIds]) }, order: { id: 'ASC' } });
  }

  async setLastUsed(id: number, at: Date): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: at });
  }

  /** Revokes the key unless it already was (the first revocation's time stays). */
  async markRevoked(id: number, at: Date): Promise<void> {
    await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: at });
  }
}
