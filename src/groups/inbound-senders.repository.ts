import type { DataSource, ObjectLiteral } from 'typeorm';
import { aliasedColumns, hydrateAliased } from '../core/aliased-rows';
import { Sender } from './sender.entity';

/**
 * The senders table's part of the inbound look-up (conversations' InboundThreadsRepository), a
 * statement that reads the sender, the contact, their thread and its last campaign in one round
 * trip, because it runs for every reply.
 */
export class InboundSendersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The sender in service holding a value (`value`: a parameter or a column of the statement),
   * as alias `s`: its columns, its table, and the condition that picks it; `id` and `accountId`
   * are what other tables join on.
   */
  lookUpPart(value: string): { columns: string; from: string; where: string; id: string; accountId: string } {
    return { columns: aliasedColumns(this.dataSource, Sender, 's'), from: 'senders s', where: `s.active_value = ${value}`, id: 's.id', accountId: 's.account_id' };
  }

  /** The sender read back from a row of the look-up. */
  fromLookUp(row: ObjectLiteral): Sender | null {
    return hydrateAliased(this.dataSource, Sender, 's', row);
  }
}
