import { serveSimulator, type ServedSimulator } from '../../src/carrier/simulator';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '../../src/config';
import { createLogger } from '../../src/core/logger';

/**
 * A carrier simulator outside the servers under test, as Twilio would be: point their
 * TWILIO_API_BASE_URL at `url`. Every message is delivered; callbacks come after 20 ms.
 */
export function startCarrier(): Promise<ServedSimulator> {
  return serveSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, publicUrl: 'http://127.0.0.1', undeliveredShare: 0, callbackDelayMs: 20 }, createLogger('silent'));
}
