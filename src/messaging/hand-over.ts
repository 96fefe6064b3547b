import type { HandOverResult, SmsProvider } from '../carrier/twilio-provider';
import type { Logger } from '../core/logger';
import type { Metrics } from '../core/metrics';
import { SendErrorCode } from '../core/send-error';
import { CARRIER_OPT_OUT_CODE, type CarrierOptOuts } from './carrier-opt-outs';
import { type Message, MessageStatus } from './message.entity';
import type { OrphanReconciler } from './orphan-reconciler';
import type { SendQueueRepository } from './send-queue.repository';
import type { SidRecorder } from './sid-recorder';
import type { StatusService } from './status.service';

/** Requests to the carrier, over all of a message's turns, before it is failed as undeliverable. */
export const MAX_ATTEMPTS = 20;
/** A lost answer is looked up this much later, so that the carrier has stored what it made. */
const LOOKUP_DELAY_MS = 500;
/**
 * Sids taken by the carrier and not yet stored beyond which a hand-over keeps its slot until
 * its own is stored. Below it the slot frees at the carrier's answer: a crash before the write
 * leaves the message SENDING without a sid, and the next start looks it up at the carrier.
 */
const UNSTORED_SIDS_ALLOWED = 256;

/**
 * Posts one claimed message to the carrier, at most once, and records what came of it: the sid
 * (SENDING), the carrier's refusal (FAILED; a 21610 also unsubscribes the recipient), a lost
 * answer (looked up, never posted again), or a carrier that surely did not take it (back to
 * the queue, to go through the guard again).
 */
export class HandOver {
  constructor(
    private readonly queue: SendQueueRepository,
    private readonly provider: SmsProvider,
    private readonly statusCallbackUrl: string,
    private readonly sids: SidRecorder,
    private readonly statuses: StatusService,
    private readonly reconciler: OrphanReconciler,
    private readonly optOuts: CarrierOptOuts,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  async run(message: Message): Promise<void> {
    const started = new Date();
    const result = await this.provider.send({ to: message.to, from: message.from, body: message.body, statusCallback: this.statusCallbackUrl });
    this.metrics.messagesSent.inc({ outcome: result.outcome });
    const attempts = message.attempts + result.attempts;
    switch (result.outcome) {
      case 'accepted': {
        const stored = this.sids.record({ message, sid: result.sid, attempts, response: result.response });
        return this.sids.backlog > UNSTORED_SIDS_ALLOWED ? stored : undefined;
      }
      case 'refused':
        return this.refused(message, result, attempts);
      case 'unknown':
        this.log.warn({ messageId: message.id, response: result.response }, 'the carrier\'s answer was lost: looking the message up instead of posting it again');
        await new Promise((resolve) => setTimeout(resolve, LOOKUP_DELAY_MS));
        await this.reconciler.resolve(message, started, { attempts, response: result.response });
        return;
      case 'unavailable':
        return this.unavailable(message, result, attempts);
    }
  }

  private async refused(message: Message, result: Extract<HandOverResult, { outcome: 'refused' }>, attempts: number): Promise<void> {
    this.log.warn({ messageId: message.id, providerCode: result.providerCode, response: result.response }, 'the carrier refused a message');
    await this.statuses.transition(message, MessageStatus.FAILED,
      { code: SendErrorCode.PROVIDER_ERROR, providerCode: result.providerCode, message: result.message },
      { attempts, lastProviderResponse: result.response, announcedFrom: MessageStatus.QUEUED });
    if (result.providerCode === CARRIER_OPT_OUT_CODE) await this.optOuts.record(message);
  }

  private async unavailable(message: Message, result: Extract<HandOverResult, { outcome: 'unavailable' }>, attempts: number): Promise<void> {
    if (attempts >= MAX_ATTEMPTS) {
      await this.statuses.transition(message, MessageStatus.FAILED,
        { code: SendErrorCode.PROVIDER_ERROR, providerCode: null, message: `${result.message}; given up after ${attempts} attempts` },
        { attempts, lastProviderResponse: result.response, announcedFrom: MessageStatus.QUEUED });
      return;
    }
    // It surely did not leave: back to the queue, where the guard looks at it again before its next turn.
    const wait = result.retryAfterMs ?? Math.min(60_000, 1000 * 2 ** Math.min(6, Math.floor(attempts / 4)));
    if (await this.queue.requeue(message.id, new Date(Date.now() + wait), attempts, result.response)) this.log.warn({ messageId: message.id, attempts, retryInMs: wait, response: result.response }, 'the carrier did not take a message: it waits in the queue for another turn');
  }
}
