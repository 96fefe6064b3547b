import { isDuplicateKeyError } from '../core/database';
import type { Logger } from '../core/logger';
import { SendErrorCode } from '../core/send-error';
import { CARRIER_OPT_OUT_CODE, type CarrierOptOuts } from './carrier-opt-outs';
import type { EarlyStatusCallbackRepository } from './early-status-callback.repository';
import { type Message, MessageStatus } from './message.entity';
import type { MessageRepository } from './message.repository';
import { describeTwilioError, statusRank } from './message-status';
import type { StatusService } from './status.service';

export interface StatusCallback {
  sid: string;
  status: MessageStatus;
  rawStatus: string;
  errorCode: number | null;
}

/** How long a callback waits for its sid before it is given up (a sid that never comes). */
const EARLY_KEPT_MS = 24 * 3600_000;

/**
 * Applies the carrier's status callbacks, also those that arrive before the sid of their
 * message is stored (the carrier's answer and its first callbacks race): those are kept in a
 * table and applied when the sid lands, on whichever instance stores it.
 */
export class StatusCallbacks {
  constructor(
    private readonly messages: MessageRepository,
    private readonly early: EarlyStatusCallbackRepository,
    private readonly statuses: StatusService,
    private readonly optOuts: CarrierOptOuts,
    private readonly log: Logger,
  ) {}

  /** The status webhook: applied at once, or kept until the message's sid is stored. */
  async receive(callback: StatusCallback): Promise<'applied' | 'kept'> {
    const message = await this.messages.bySid(callback.sid);
    if (message) {
      await this.apply(message, callback);
      return 'applied';
    }
    await this.keep(callback);
    // The sid may have landed between the look-up and the keeping: look once more.
    if (await this.messages.hasSid(callback.sid)) await this.applyEarly([callback.sid]);
    return 'kept';
  }

  async apply(message: Message, callback: Pick<StatusCallback, 'status' | 'rawStatus' | 'errorCode'>): Promise<void> {
    const failed = callback.status === MessageStatus.UNDELIVERED || callback.status === MessageStatus.FAILED;
    const error = failed
      ? {
        code: SendErrorCode.PROVIDER_ERROR,
        providerCode: callback.errorCode,
        message: callback.rawStatus.toLowerCase() === 'canceled' ? 'the provider cancelled the message' : describeTwilioError(callback.errorCode, callback.status),
      }
      : null;
    await this.statuses.transition(message, callback.status, error);
    if (failed && callback.errorCode === CARRIER_OPT_OUT_CODE) await this.optOuts.record(message);
  }

  /** Applies the kept callbacks of these sids, oldest status first, and forgets them. */
  async applyEarly(sids: readonly string[]): Promise<void> {
    if (!sids.length) return;
    // Asked after every batch of sids the queue stores, and nearly always answered "none": a plain query first.
    if (!(await this.early.anyFor(sids))) return;
    const kept = await this.early.keptFor(sids);
    if (!kept.length) return;
    const messages = new Map((await this.messages.bySids([...new Set(kept.map((k) => k.providerSid))])).map((m) => [m.providerSid, m]));
    for (const callback of kept.sort((a, b) => statusRank(a.status) - statusRank(b.status))) {
      const message = messages.get(callback.providerSid);
      if (!message) continue;
      await this.apply(message, { status: callback.status, rawStatus: callback.rawStatus, errorCode: callback.errorCode });
      await this.early.forget(callback.id);
    }
  }

  /** The safety net: applies kept callbacks whose sid is stored by now, and drops those kept too long. */
  async sweep(now = new Date()): Promise<void> {
    await this.applyEarly(await this.early.sidsStored());
    const dropped = await this.early.dropReceivedBefore(new Date(now.getTime() - EARLY_KEPT_MS));
    if (dropped) this.log.warn({ dropped }, 'status callbacks whose sid never came were dropped after 24 h');
  }

  private async keep(callback: StatusCallback): Promise<void> {
    try {
      await this.early.keep({
        providerSid: callback.sid, status: callback.status, rawStatus: callback.rawStatus.slice(0, 32), errorCode: callback.errorCode, receivedAt: new Date(),
      });
    } catch (error) {
      // The same callback again (a retry): kept once.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
}
