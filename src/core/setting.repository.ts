import type { DataSource } from 'typeorm';
import { isDuplicateKeyError } from './database';
import { Setting } from './setting.entity';

/** The server-wide values of the settings table, each written once and then only read. */
export class SettingRepository {
  constructor(private readonly dataSource: DataSource) {}

  async valueOf(name: string): Promise<string | null> {
    return (await this.dataSource.getRepository(Setting).findOneBy({ name }))?.value ?? null;
  }

  /**
   * Stores `value` under `name` unless another instance stored one first, and answers the value
   * kept: ours, or the winner's. Any failure other than that lost race is thrown.
   */
  async keepFirst(name: string, value: string): Promise<string> {
    const repo = this.dataSource.getRepository(Setting);
    try {
      await repo.insert({ name, value });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return (await repo.findOneByOrFail({ name })).value;
    }
    return value;
  }
}
