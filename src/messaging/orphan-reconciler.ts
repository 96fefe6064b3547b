import type { SmsProvider } from '../carrier/twilio-provider';
import type { Logger } from '../core/logger';
import { SendErrorCode } from '../core/send-error';
import { type Message, MessageStatus } from './message.entity';
import type { SendQueueRepository } from './send-queue.repository';
import { fromTwilioStatus } from './message-status';
import type { SidRecorder } from './sid-recorder';
import type { StatusCallbacks } from './status-callbacks';
import type { StatusService } from './status.service';

export const NOT_AT_CARRIER =
  'the hand-over was cut off (the server stopped, or the carrier\'s answer was lost) and the carrier has no record of the message: it did not leave, and is not sent again';
export const OUTCOME_UNKNOWN =
  'the hand-over was cut off and the carrier could not be asked about it for an hour, so nobody knows whether it left; it is not sent again';

/** After this long unresolved, an orphan is failed as unknown. */
const GIVE_UP_AFTER_MS = 3600_000;

export interface ReconcileResult {
  found: number;
  notFound: number;
  unresolved: number;
}

/**
 * A message left SENDING without a sid was being handed over when its hand-over was cut off:
 * a crash, or an answer lost after the request was sent. It is never posted again; it is
 * looked up at the carrier instead: found, it is SENDING with its sid (and the status the
 * carrier reports); not found, it is FAILED; unanswered, it is asked about again later.
 */
export class OrphanReconciler {
  constructor(
    private readonly queue: SendQueueRepository,
    private readonly provider: SmsProvider,
    private readonly sids: SidRecorder,
    private readonly statuses: StatusService,
    private readonly callbacks: StatusCallbacks,
    private readonly log: Logger,
  ) {}

  /** Reconciles the orphans whose last hand-over step is older than `olderThan`. */
  async reconcile(olderThan: Date): Promise<ReconcileResult> {
    const result: ReconcileResult = { found: 0, notFound: 0, unresolved: 0 };
    const orphans = await this.queue.orphans(olderThan, 500);
    for (const orphan of orphans) {
      const outcome = await this.resolve(orphan);
      if (outcome) result[outcome]++;
    }
    if (result.found || result.notFound || result.unresolved) this.log.warn(result, 'hand-overs that were cut off, looked up at the carrier');
    return result;
  }

  /** Looks one cut-off hand-over up at the carrier; null when another instance took it first. */
  async resolve(orphan: Message, claimedSince = orphan.updatedAt, attempt?: { attempts: number; response: string }): Promise<keyof ReconcileResult | null> {
    if (!(await this.takeOver(orphan, attempt))) return null;
    const lookup = await this.provider.lookup(orphan, claimedSince);
    if (!lookup.ok) {
      if (Date.now() - orphan.createdAt.getTime() < GIVE_UP_AFTER_MS) return 'unresolved';
      await this.statuses.transition(orphan, MessageStatus.FAILED, { code: SendErrorCode.PROVIDER_ERROR, providerCode: null, message: OUTCOME_UNKNOWN }, { announcedFrom: MessageStatus.QUEUED });
      return 'unresolved';
    }
    const known = await this.queue.knownSids(lookup.candidates.map((c) => c.sid));
    const match = lookup.candidates.find((c) => !known.has(c.sid));
    if (!match) {
      await this.statuses.transition(orphan, MessageStatus.FAILED, { code: SendErrorCode.PROVIDER_ERROR, providerCode: null, message: NOT_AT_CARRIER }, { announcedFrom: MessageStatus.QUEUED });
      return 'notFound';
    }
    await this.sids.record({ message: orphan, sid: match.sid, attempts: Math.max(1, orphan.attempts), response: `found at the carrier after the hand-over was cut off: ${match.sid} ${match.status}` });
    // Its callbacks may have come while nobody could take them: the status the carrier reports now.
    const status = fromTwilioStatus(match.status);
    if (status && status !== MessageStatus.QUEUED && status !== MessageStatus.SENDING) {
      await this.callbacks.apply(orphan, { status, rawStatus: match.status, errorCode: null });
    }
    return 'found';
  }

  /** Marks the orphan as this instance's to resolve, so that two reconcilers never both act. */
  private async takeOver(orphan: Message, attempt?: { attempts: number; response: string }): Promise<boolean> {
    if (attempt) Object.assign(orphan, { attempts: attempt.attempts, lastProviderResponse: attempt.response.slice(0, 500) });
    const now = new Date();
    const taken = await this.queue.takeOver(orphan, now);
    if (taken) orphan.updatedAt = now;
    return taken;
  }
}
