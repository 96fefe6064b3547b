import express, { Router } from 'express';
import type { Services } from '../services';
import { requireTwilioSignature } from './signature';
import { inboundWebhook } from './twilio-inbound';
import { statusWebhook } from './twilio-status';

/** POST /webhooks/twilio/inbound and /webhooks/twilio/status, form-encoded and signed. */
export function createTwilioWebhookRouter(services: Services): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '1mb' }));
  router.use(requireTwilioSignature(services.config.twilio.authToken, services.config.publicUrl, services.log));
  router.post('/inbound', inboundWebhook(services.inbound, services.log, services.metrics));
  router.post('/status', statusWebhook(services));
  return router;
}
