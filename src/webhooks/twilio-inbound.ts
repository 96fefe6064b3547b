import type { Request, Response } from 'express';
import type { InboundService, InboundSms } from '../conversations/inbound.service';
import type { Logger } from '../core/logger';
import type { Metrics } from '../core/metrics';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
// Twilio allows up to 10 media items per message.
const MAX_MEDIA = 10;
// The widest of the columns these land in (contact phone number, message from/to).
const MAX_ADDRESS = 32;
// Twilio joins a long SMS into at most 1,600 characters; what fits a MySQL TEXT column in
// utf8mb4 (65,535 bytes at 4 a character) leaves room for other channels and stays storable.
const MAX_BODY = 16_000;
// Media URLs are stored together in one TEXT column: ten of 2,048 characters fit.
const MAX_MEDIA_URL = 2_048;

type Params = Record<string, unknown>;

function field(params: Params, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

function count(params: Params, name: string): number | null {
  const raw = field(params, name);
  if (raw === undefined || !/^\d{1,4}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

/** The form as Twilio posts it, or the reason it cannot be an inbound message. */
export function readInboundSms(params: Params): { sms: InboundSms } | { error: string } {
  const missing = ['MessageSid', 'From', 'To'].filter((name) => !field(params, name)?.trim());
  if (missing.length) return { error: `missing required field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` };
  const messageSid = field(params, 'MessageSid')!.trim();
  const from = field(params, 'From')!.trim();
  const to = field(params, 'To')!.trim();
  if (messageSid.length > 64) return { error: 'MessageSid: longer than 64 characters' };
  if (from.length > MAX_ADDRESS) return { error: `From: longer than ${MAX_ADDRESS} characters` };
  if (to.length > MAX_ADDRESS) return { error: `To: longer than ${MAX_ADDRESS} characters` };
  const body = field(params, 'Body') ?? '';
  if (body.length > MAX_BODY) return { error: `Body: longer than ${MAX_BODY} characters` };
  const numMedia = Math.min(count(params, 'NumMedia') ?? 0, MAX_MEDIA);
  const mediaUrls: string[] = [];
  for (let i = 0; i < numMedia; i++) {
    const url = field(params, `MediaUrl${i}`);
    if (url && url.length > MAX_MEDIA_URL) return { error: `MediaUrl${i}: longer than ${MAX_MEDIA_URL} characters` };
    if (url) mediaUrls.push(url);
  }
  const numSegments = count(params, 'NumSegments');
  return {
    sms: {
      messageSid,
      from,
      to,
      // The body is kept exactly as sent, spaces included; an MMS may have none.
      body,
      numSegments: numSegments && numSegments > 0 ? numSegments : null,
      mediaUrls,
    },
  };
}

/**
 * POST /webhooks/twilio/inbound (signature already checked). 200 with empty TwiML once the
 * message is stored, was stored before, or belongs to no group; 5xx when it could not be
 * stored, so that Twilio retries: a reply answered 200 is never lost.
 */
export function inboundWebhook(inbound: InboundService, log: Logger, metrics: Metrics) {
  return async (req: Request, res: Response) => {
    const read = readInboundSms((req.body ?? {}) as Params);
    if ('error' in read) {
      metrics.inboundMessages.inc({ outcome: 'invalid' });
      log.warn({ error: read.error }, 'inbound webhook refused');
      res.status(400).type('text/plain').send(read.error);
      return;
    }
    const { sms } = read;
    try {
      const outcome = await inbound.threadInbound(sms);
      metrics.inboundMessages.inc({ outcome: outcome.kind });
      if (outcome.kind === 'unknown-number') log.warn({ sid: sms.messageSid, to: sms.to, from: sms.from }, 'inbound message to a number no group holds: not stored');
      else if (outcome.kind === 'duplicate') log.info({ sid: sms.messageSid }, 'inbound message already stored: retry ignored');
      res.status(200).type('text/xml').send(EMPTY_TWIML);
    } catch (error) {
      metrics.inboundMessages.inc({ outcome: 'error' });
      log.error({ err: error, sid: sms.messageSid }, 'inbound message could not be stored; Twilio will retry');
      res.status(503).type('text/plain').send('the message could not be stored; retry later');
    }
  };
}
