import type { DataSource } from 'typeorm';
import { placeholders } from '../core/sql';

export interface AccountSendRules {
  regions: Array<{ accountId: number; country: string }>;
  blocks: Array<{ accountId: number; prefix: string }>;
}

/**
 * The enabled regions and the blocked prefixes of many accounts in one statement: the send
 * queue reads both for every batch it hands over, and a statement's round trip costs the
 * database and the server more than the few rows it returns.
 */
export class SendRulesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async of(accountIds: readonly number[]): Promise<AccountSendRules> {
    const rules: AccountSendRules = { regions: [], blocks: [] };
    if (!accountIds.length) return rules;
    const list = placeholders(accountIds.length);
    const rows: Array<{ kind: string; account_id: number | string; value: string }> = await this.dataSource.query(
      `SELECT 'region' AS kind, account_id, country AS value FROM geo_permissions WHERE account_id IN (${list})
       UNION ALL SELECT 'block' AS kind, account_id, prefix AS value FROM blocked_prefixes WHERE account_id IN (${list})`,
      [...accountIds, ...accountIds]);
    for (const row of rows) {
      if (row.kind === 'region') rules.regions.push({ accountId: Number(row.account_id), country: row.value });
      else rules.blocks.push({ accountId: Number(row.account_id), prefix: row.value });
    }
    return rules;
  }
}
