import type { DataSource } from 'typeorm';
import { PumpingSettings } from './pumping-settings.entity';

/** The pumping_guard_settings table: at most one row per account. */
export class PumpingSettingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  settingsOf(accountId: number): Promise<PumpingSettings | null> {
    return this.dataSource.getRepository(PumpingSettings).findOneBy({ accountId });
  }

  /** Writes the account's row, made or replaced in one statement. */
  async store(settings: Omit<PumpingSettings, 'id'>): Promise<void> {
    await this.dataSource.getRepository(PumpingSettings).upsert(settings, ['accountId']);
  }
}
