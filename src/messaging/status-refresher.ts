import type { SmsProvider } from '../carrier/twilio-provider';
import type { Logger } from '../core/logger';
import type { SendQueueRepository } from './send-queue.repository';
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
    private readonly queue: SendQueueRepository,
    private readonly provider: SmsProvider,
    private readonly callbacks: StatusCallbacks,
    private readonly log: Logger,
    private readonly quietForMs: number,
  ) {}

  async refresh(now = Date.now()): Promise<number> {
    let moved = 0;
    for (const message of await this.queue.quiet(new Date(now - this.quietForMs), new Date(now - ASK_FOR_MS), PER_SWEEP)) {
      const answer = await this.provider.fetchStatus(message.providerSid!);
      const status = answer.ok ? fromTwilioStatus(answer.status) : null;
      if (answer.ok && status && movesForward(message.status, status)) {
        await this.callbacks.apply(message, { status, rawStatus: answer.status, errorCode: answer.errorCode });
        moved++;
        continue;
      }
      // Unchanged, or the carrier could not say: asked again once it has been quiet as long again.
      await this.queue.touch(message.id, message.status, new Date(now));
      if (!answer.ok) this.log.warn({ messageId: message.id, response: answer.message }, 'could not ask the carrier for the status of a quiet message');
    }
    if (moved) this.log.info({ moved }, 'statuses whose callbacks never came, asked of the carrier');
    return moved;
  }
}
