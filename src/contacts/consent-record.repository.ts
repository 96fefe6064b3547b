import { In, type DataSource, type EntityManager } from 'typeorm';
import type { Page } from '../core/connection';
import { idKey, keysetPage, type Keyset } from '../core/pagination';
import { bulkInsert } from './bulk-insert.repository';
import type { NewConsentRecord } from './consent-ledger';
import { ConsentRecord } from './consent-record.entity';

const EXPORT_ORDER: Keyset<ConsentRecord> = {
  keys: [{ column: 'r.createdAt', kind: 'time', of: (r) => r.createdAt }, idKey<ConsentRecord>('r')],
  direction: 'ASC',
};
const COLUMNS: Array<keyof ConsentRecord & string> = ['groupId', 'contactId', 'oldStatus', 'newStatus', 'source', 'cause', 'apiKeyId', 'consentText', 'createdAt'];
// 9 columns a row: 500 rows stay far below both databases' parameter limits.
const ROWS_PER_STATEMENT = 500;

/**
 * The consent ledger's table, and the only code that touches it: rows are appended inside the
 * transaction of the change they record and only ever read afterwards (there is no update or
 * delete here, and nothing else writes the table).
 */
export class ConsentRecordRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(manager: EntityManager, rows: readonly NewConsentRecord[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await bulkInsert(manager, ConsentRecord, {
        rows: rows.slice(i, i + ROWS_PER_STATEMENT).map((r) => ({ ...r, apiKeyId: r.apiKeyId ?? null, consentText: r.consentText ?? null })),
        properties: COLUMNS,
        onConflict: 'fail',
      });
    }
  }

  /** The records of many memberships of one group in one query, newest first. */
  async historiesOf(groupId: number, contactIds: readonly number[]): Promise<ConsentRecord[]> {
    return contactIds.length ? this.dataSource.getRepository(ConsentRecord).find({ where: { groupId, contactId: In([...contactIds]) }, order: { id: 'DESC' } }) : [];
  }

  /** A group's records from `since` on, oldest first, keyset-paged on (createdAt, id): an export that resumes where it stopped. */
  page(groupId: number, since: Date | null, first: number | null | undefined, after: string | null | undefined): Promise<Page<ConsentRecord>> {
    const query = this.dataSource.getRepository(ConsentRecord).createQueryBuilder('r').where('r.groupId = :groupId', { groupId });
    if (since) query.andWhere('r.createdAt >= :since', { since });
    return keysetPage(query, EXPORT_ORDER, { first, after });
  }
}
