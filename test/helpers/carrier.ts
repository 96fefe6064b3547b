import { serveSimulator, type ServedSimulator } from '../../src/carrier/simulator';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '../../src/config';
import { createLogger } from '../../src/core/logger';
import { bootApp, type TestApp } from './app';
import { databaseKinds } from './databases';

/**
 * A carrier simulator outside the servers under test, as Twilio would be: point their
 * TWILIO_API_BASE_URL at `url`. Every message is delivered; callbacks come after 20 ms.
 */
export function startCarrier(): Promise<ServedSimulator> {
  return serveSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, publicUrl: 'http://127.0.0.1', undeliveredShare: 0, callbackDelayMs: 20 }, createLogger('silent'));
}

/**
 * Runs a suite once per database against a server whose carrier is outside it (startCarrier),
 * as Twilio is: it outlives the server's restarts and misbehaves on request.
 */
export function describeWithOutsideCarrier(title: string, suite: (ctx: () => { app: TestApp; carrier: ServedSimulator }) => void): void {
  for (const kind of databaseKinds()) {
    describe(`${title} [${kind}]`, () => {
      let carrier: ServedSimulator | undefined;
      let app: TestApp | undefined;

      beforeAll(async () => {
        carrier = await startCarrier();
        app = await bootApp(kind, { env: { TWILIO_API_BASE_URL: carrier.url } });
      });

      afterAll(async () => {
        await app?.close();
        await carrier?.close();
      });

      suite(() => {
        if (!app || !carrier) throw new Error('the app or its carrier did not start');
        return { app, carrier };
      });
    });
  }
}
