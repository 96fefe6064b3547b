import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../core/logger';
import type { Metrics } from '../core/metrics';
import type { InboundService } from '../conversations/inbound.service';
import type { StatusCallbacks } from '../messaging/status-callbacks';
import { requireTwilioSignature } from './signature';
import { inboundWebhook } from './twilio-inbound';
import { statusWebhook } from './twilio-status';

export interface TwilioWebhookDeps {
  /** Twilio's auth token (the signing key) and the public base URL it signed for. */
  authToken: string;
  publicUrl: string;
  inbound: InboundService;
  statusCallbacks: StatusCallbacks;
  log: Logger;
  metrics: Metrics;
}

/** POST /webhooks/twilio/inbound and /webhooks/twilio/status, form-encoded and signed. */
export function createTwilioWebhookRouter(deps: TwilioWebhookDeps): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '1mb' }));
  router.use(requireTwilioSignature(deps.authToken, deps.publicUrl, deps.log));
  router.use(refuseRepeatedParameters);
  router.post('/inbound', inboundWebhook(deps.inbound, deps.log, deps.metrics));
  router.post('/status', statusWebhook(deps));
  return router;
}

/**
 * Twilio sends each parameter of these webhooks once. A repeated one (`Body=a&Body=b`) arrives
 * as an array, which no handler can store faithfully: it is refused, naming the parameter.
 */
function refuseRepeatedParameters(req: Request, res: Response, next: NextFunction): void {
  const repeated = Object.entries((req.body ?? {}) as Record<string, unknown>).filter(([, value]) => typeof value !== 'string').map(([name]) => name);
  if (repeated.length) {
    res.status(400).type('text/plain').send(`${repeated.join(', ')}: sent more than once; each parameter may appear once`);
    return;
  }
  next();
}
