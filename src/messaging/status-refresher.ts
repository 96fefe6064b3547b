import { In, type DataSource } from 'typeorm';
import type { SmsProvider } from '../carrier/twilio-provider';
import type { Logger } from '../core/logger';
import { execute, sqlDate } from '../core/sql';
import { Message, MessageStatus } from './message.entity';
import { fromTwilioStatus, movesForward } from './message-status';
import type { StatusCallbacks } from './status-callbacks';

/** Messages are asked about at most this long after they were made: statuses are final by then. */
const ASK_FOR_MS = 72 * 3600_000;
const PER_SWEEP = 100;

/**
 * A message the carrier took whose callbacks never came (posted while every instance was down,
 * or lost on the way) would stay SENDING or SENT for ever, and its campaign never complete: once
 * it has been quiet for a while, its status is asked of the carrier.
 */
export class StatusRefresher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly provider: SmsProvider,
    private readonly callbacks: StatusCallbacks,
    private readonly log: Logger,
    private readonly quietForMs: number,
  ) {}

  async refresh(now = Date.now()): Promise<number> {
    const rows: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM messages WHERE status IN (?, ?) AND provider_sid IS NOT NULL AND direction = 'OUTBOUND' AND updated_at < ? AND created_at > ?
       ORDER BY updated_at LIMIT ${PER_SWEEP}`,
      [MessageStatus.SENDING, MessageStatus.SENT, sqlDate(this.dataSource, new Date(now - this.quietForMs)), sqlDate(this.dataSource, new Date(now - ASK_FOR_MS))]);
    if (!rows.length) return 0;
    let moved = 0;
    for (const message of await this.dataSource.getRepository(Message).findBy({ id: In(rows.map((r) => Number(r.id))) })) {
      const answer = await this.provider.fetchStatus(message.providerSid!);
      const status = answer.ok ? fromTwilioStatus(answer.status) : null;
      if (answer.ok && status && movesForward(message.status, status)) {
        await this.callbacks.apply(message, { status, rawStatus: answer.status, errorCode: answer.errorCode });
        moved++;
        continue;
      }
      // Unchanged, or the carrier could not say: asked again once it has been quiet as long again.
      await execute(this.dataSource, 'UPDATE messages SET updated_at = ? WHERE id = ? AND status = ?',
        [sqlDate(this.dataSource, new Date(now)), message.id, message.status]);
      if (!answer.ok) this.log.warn({ messageId: message.id, response: answer.message }, 'could not ask the carrier for the status of a quiet message');
    }
    if (moved) this.log.info({ moved }, 'statuses whose callbacks never came, asked of the carrier');
    return moved;
  }
}
