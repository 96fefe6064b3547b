import type DataLoader from 'dataloader';
import { isDuplicateKeyError } from '../core/database';
import { groupedLoader } from '../core/grouped-loader';
import type { Logger } from '../core/logger';
import { SendErrorCode } from '../core/send-error';
import { CARRIER_OPT_OUT_CODE, type CarrierOptOuts } from './carrier-opt-outs';
import type { EarlyStatusCallbackRepository } from './early-status-callback.repository';
import { Message, MessageStatus } from './message.entity';
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
// Look-ups by sid that arrive while these are in flight go together in the next statement.
const LOOK_UPS_IN_FLIGHT = 2;
const LOOK_UP_BATCH = 200;

/**
 * Applies the carrier's status callbacks, also those that arrive before the sid of their
 * message is stored (the carrier's answer and its first callbacks race): those are kept in a
 * table and applied when the sid lands, on whichever instance stores it.
 */
export class StatusCallbacks {
  /** Each callback's message by its sid: a burst of callbacks (two or three per message sent) shares its look-ups. */
  private readonly bySid: DataLoader<string, Message | null>;

  constructor(
    private readonly messages: MessageRepository,
    private readonly early: EarlyStatusCallbackRepository,
    private readonly statuses: StatusService,
    private readonly optOuts: CarrierOptOuts,
    private readonly log: Logger,
  ) {
    this.bySid = groupedLoader(async (sids: readonly string[]) => {
      const found = new Map((await messages.bySids([...new Set(sids)])).map((m) => [m.providerSid, m]));
      // Each callback gets a message of its own, also when two of one message come together.
      return sids.map((sid) => {
        const message = found.get(sid);
        return message ? Object.assign(new Message(), message) : null;
      });
    }, { maxInFlight: LOOK_UPS_IN_FLIGHT, maxBatch: LOOK_UP_BATCH });
  }

  /** The status webhook: applied at once, or kept until the message's sid is stored. */
  async receive(callback: StatusCallback): Promise<'applied' | 'kept'> {
    const message = await this.bySid.load(callback.sid);
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
    const callbacksOf = new Map<string, typeof kept>();
    for (const callback of kept) if (messages.has(callback.providerSid)) callbacksOf.set(callback.providerSid, [...(callbacksOf.get(callback.providerSid) ?? []), callback]);
    // Each message's callbacks in order, oldest status first; messages side by side: a burst of
    // hand-overs whose callbacks overtook their sids must not be applied one round trip at a time.
    const applied = await Promise.all([...callbacksOf].map(async ([sid, callbacks]) => {
      const done: number[] = [];
      for (const callback of callbacks.sort((a, b) => statusRank(a.status) - statusRank(b.status))) {
        await this.apply(messages.get(sid)!, { status: callback.status, rawStatus: callback.rawStatus, errorCode: callback.errorCode });
        done.push(callback.id);
      }
      return done;
    }));
    await this.early.forget(applied.flat());
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
