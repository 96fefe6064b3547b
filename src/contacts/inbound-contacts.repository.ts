import type { DataSource, ObjectLiteral } from 'typeorm';
import { aliasedColumns, hydrateAliased } from '../core/aliased-rows';
import { Contact } from './contact.entity';

/**
 * The contacts table's part of the inbound look-up (conversations' InboundThreadsRepository), a
 * statement that reads the sender, the contact, their thread and its last campaign in one round
 * trip, because it runs for every reply.
 */
export class InboundContactsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The account's contact of a phone number (`phoneNumber`: a parameter or a column of the
   * statement), as alias `c`: its columns, and the LEFT JOIN on the column that holds the
   * account; `id` is what other tables join on.
   */
  lookUpPart(accountIdColumn: string, phoneNumber: string): { columns: string; join: string; id: string } {
    return {
      columns: aliasedColumns(this.dataSource, Contact, 'c'),
      join: `LEFT JOIN contacts c ON c.account_id = ${accountIdColumn} AND c.phone_number = ${phoneNumber}`,
      id: 'c.id',
    };
  }

  /** The contact read back from a row of the look-up, or null when the number is no contact yet. */
  fromLookUp(row: ObjectLiteral): Contact | null {
    return hydrateAliased(this.dataSource, Contact, 'c', row);
  }
}
