import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Services } from '../services';
import { requireTwilioSignature } from './signature';
import { inboundWebhook } from './twilio-inbound';
import { statusWebhook } from './twilio-status';

/** POST /webhooks/twilio/inbound and /webhooks/twilio/status, form-encoded and signed. */
export function createTwilioWebhookRouter(services: Services): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '1mb' }));
  router.use(requireTwilioSignature(services.config.twilio.authToken, services.config.publicUrl, services.log));
  router.use(refuseRepeatedParameters);
  router.post('/inbound', inboundWebhook(services.inbound, services.log, services.metrics));
  router.post('/status', statusWebhook(services));
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
