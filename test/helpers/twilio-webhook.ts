import twilio from 'twilio';
import type { TestApp } from './app';
import { SIMULATOR_AUTH_TOKEN } from '../../src/config';

/** Posts a form-encoded Twilio webhook signed as Twilio signs it (or with the given signature); an array value repeats its parameter. */
export async function postTwilioWebhook(
  app: TestApp,
  path: '/webhooks/twilio/inbound' | '/webhooks/twilio/status',
  params: Record<string, string | string[]>,
  options: { authToken?: string; signature?: string } = {},
): Promise<{ status: number; body: string; contentType: string | null }> {
  const publicUrl = app.server.services.config.publicUrl;
  const signature = options.signature ?? twilio.getExpectedTwilioSignature(options.authToken ?? SIMULATOR_AUTH_TOKEN, publicUrl + path, params);
  const res = await fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(Object.entries(params).flatMap(([name, value]) => [value].flat().map((v): [string, string] => [name, v]))).toString(),
  });
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') };
}
