import type { Request, Response } from 'express';
import type { Logger } from '../core/logger';
import { SendErrorCode } from '../core/send-error';
import type { Dispatcher } from '../messaging/dispatcher';
import { Message, MessageStatus } from '../messaging/message.entity';
import { describeTwilioError, fromTwilioStatus } from '../messaging/message-status';
import type { StatusService } from '../messaging/status.service';
import type { DataSource } from 'typeorm';

export interface StatusWebhookDeps {
  dataSource: DataSource;
  statuses: StatusService;
  dispatcher: Dispatcher;
  log: Logger;
}

/**
 * POST /webhooks/twilio/status (signature already checked). Idempotent on (MessageSid,
 * MessageStatus): the change is a compare-and-set that only moves forward, so a retry or a late
 * callback changes nothing. Unknown sids and statuses are answered 200 and logged; a failure to
 * store answers 500, so that Twilio tries again.
 */
export function statusWebhook({ dataSource, statuses, dispatcher, log }: StatusWebhookDeps) {
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
      const repo = dataSource.getRepository(Message);
      let message = await repo.findOneBy({ providerSid: sid });
      if (!message) {
        // The callback may overtake the storing of the provider's answer that carries the sid.
        await dispatcher.settle(3000);
        message = await repo.findOneBy({ providerSid: sid });
      }
      if (!message) {
        log.warn({ sid, status: rawStatus }, 'status callback for an unknown MessageSid: ignored');
        res.status(200).end();
        return;
      }
      const code = params.ErrorCode && /^\d+$/.test(params.ErrorCode) ? Number(params.ErrorCode) : null;
      const failed = status === MessageStatus.UNDELIVERED || status === MessageStatus.FAILED;
      const error = failed
        ? {
          code: SendErrorCode.PROVIDER_ERROR,
          providerCode: code,
          message: rawStatus.toLowerCase() === 'canceled' ? 'the provider cancelled the message' : describeTwilioError(code, status),
        }
        : null;
      await statuses.transition(message, status, error);
      res.status(200).end();
    } catch (err) {
      log.error({ err, sid }, 'status callback could not be stored; answering 500 so that it is retried');
      res.status(500).type('text/plain').send('could not store the status');
    }
  };
}
