import type { Request, Response } from 'express';
import type { Logger } from '../core/logger';
import { fromTwilioStatus } from '../messaging/message-status';
import type { StatusCallbacks } from '../messaging/status-callbacks';

export interface StatusWebhookDeps {
  statusCallbacks: StatusCallbacks;
  log: Logger;
}

/**
 * POST /webhooks/twilio/status (signature already checked). Idempotent on (MessageSid,
 * MessageStatus): the change is a compare-and-set that only moves forward, so a retry or a late
 * callback changes nothing. A callback for a sid not stored yet (it overtook the carrier's
 * answer, maybe to another instance) is kept and applied when the sid lands; an unknown status
 * is answered 200 and logged; a failure to store answers 500, so that Twilio tries again.
 */
export function statusWebhook({ statusCallbacks, log }: StatusWebhookDeps) {
  return async (req: Request, res: Response) => {
    const params = (req.body ?? {}) as Record<string, string | undefined>;
    const sid = params.MessageSid ?? params.SmsSid;
    const rawStatus = params.MessageStatus ?? params.SmsStatus;
    if (!sid || !rawStatus) {
      res.status(400).type('text/plain').send('MessageSid and MessageStatus are required');
      return;
    }
    const status = fromTwilioStatus(rawStatus);
    if (!status) {
      log.warn({ sid, status: rawStatus }, 'status callback with an unknown MessageStatus: ignored');
      res.status(200).end();
      return;
    }
    try {
      const errorCode = params.ErrorCode && /^\d+$/.test(params.ErrorCode) ? Number(params.ErrorCode) : null;
      const outcome = await statusCallbacks.receive({ sid, status, rawStatus, errorCode });
      if (outcome === 'kept') log.info({ sid, status: rawStatus }, 'status callback before its sid was stored: kept until it is');
      res.status(200).end();
    } catch (err) {
      log.error({ err, sid }, 'status callback could not be stored; answering 500 so that it is retried');
      res.status(500).type('text/plain').send('could not store the status');
    }
  };
}
