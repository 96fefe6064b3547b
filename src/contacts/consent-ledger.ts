import { In, type DataSource, type EntityManager } from 'typeorm';
import type { Page } from '../core/connection';
import { badInput } from '../core/errors';
import { idKey, keysetPage, type Keyset } from '../core/pagination';
import { bulkInsert } from './bulk-sql';
import { ConsentRecord } from './consent-record.entity';
import type { MembershipSource } from './membership.entity';

/** What made a membership change, as its ledger row keeps it. */
export interface ConsentCause {
  source: MembershipSource;
  /** See ConsentRecord.cause for the forms. */
  cause: string;
  apiKeyId?: number | null;
  consentText?: string | null;
}

export const MAX_CONSENT_TEXT = 2000;

/** The caller's consentText, trimmed; null when absent; refused, naming the field, when too long. */
export function consentTextOf(raw: string | null | undefined, field = 'consentText'): string | null {
  const text = raw?.trim();
  if (!text) return null;
  if ([...text].length > MAX_CONSENT_TEXT) throw badInput(field, `must be at most ${MAX_CONSENT_TEXT} characters (it has ${[...text].length})`, { limit: MAX_CONSENT_TEXT });
  return text;
}

export type NewConsentRecord = Omit<ConsentRecord, 'id' | 'apiKeyId' | 'consentText'> & { apiKeyId?: number | null; consentText?: string | null };

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
export class ConsentLedger {
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

  /** One member's records, newest first. */
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
