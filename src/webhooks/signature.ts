import type { NextFunction, Request, Response } from 'express';
import twilio from 'twilio';
import type { Logger } from '../core/logger';

/**
 * Twilio signs PUBLIC_URL + path (+ query) and the form parameters with the auth token.
 * A request whose X-Twilio-Signature does not match gets 403 and changes nothing.
 */
export function requireTwilioSignature(authToken: string, publicUrl: string, log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const signature = req.header('x-twilio-signature');
    const params = (req.body ?? {}) as Record<string, string>;
    const url = publicUrl + req.originalUrl;
    if (!signature || !twilio.validateRequest(authToken, signature, url, params)) {
      log.warn({ path: req.originalUrl, sid: params.MessageSid }, 'webhook refused: bad or missing X-Twilio-Signature');
      res.status(403).type('text/plain').send('invalid X-Twilio-Signature');
      return;
    }
    next();
  };
}
