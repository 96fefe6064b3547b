import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';
import type { TwilioConfig } from '../config';

type RequestOptions = ConstructorParameters<typeof twilio.RequestClient>[0];
type RequestArgs = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

const TWILIO_API = /^https:\/\/api\.twilio\.com/;

/**
 * The twilio package always builds https://api.twilio.com/... URIs; this client sends them to
 * TWILIO_API_BASE_URL instead (a mock or the carrier simulator), keeping every other behaviour
 * of the real client: form encoding, basic auth, error parsing into RestException.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string, { maxSockets = 128, ...options }: RequestOptions & { maxSockets?: number } = {}) {
    // Every socket stays pooled when idle: the send queue's hand-overs come in waves (it refills
    // when half are done), and a smaller idle pool closed sockets after each wave only to open
    // (and, to Twilio, TLS-handshake) them again at the next. maxSockets is taken out of the
    // spread options: an undefined one made the package fall back to 20 sockets to Twilio.
    super({ keepAlive: true, maxSockets, maxTotalSockets: Math.max(256, maxSockets), maxFreeSockets: maxSockets, ...options });
    // The package only configures an https agent; an http base URL (the simulator) gets a pooled one too.
    this.axios.defaults.httpAgent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    if (baseUrl.startsWith('https:') && !TWILIO_API.test(baseUrl)) {
      this.axios.defaults.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    }
  }

  override request<TData>(opts: RequestArgs & { data?: TData }) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_API, this.baseUrl) });
  }
}

export type TwilioClient = ReturnType<typeof twilio>;

export function createTwilioClient(config: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'>, maxSockets?: number): TwilioClient {
  const httpClient = new BaseUrlRequestClient(config.apiBaseUrl.replace(/\/+$/, ''), { maxSockets });
  const client = twilio(config.accountSid, config.authToken, { httpClient });
  // The package loads its Messages API on first use (40 ms, more on a busy machine): done now,
  // not inside the first hand-overs, which would leave late and bunch up with the next paced ones.
  void client.messages;
  return client;
}

export interface OutgoingSms {
  to: string;
  from: string;
  body: string;
  statusCallback: string;
}

export type HandOverResult =
  | { outcome: 'accepted'; sid: string; status: string }
  /** The provider refused the message (4xx): final, never retried. */
  | { outcome: 'refused'; providerCode: number | null; message: string }
  /** The provider could not be reached or kept failing (network, 5xx, 429) after every retry. */
  | { outcome: 'unavailable'; message: string };

export interface SmsProvider {
  send(sms: OutgoingSms): Promise<HandOverResult>;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4000 };

/** Hands messages to Twilio's Messages resource; transient failures are retried with backoff. */
export class TwilioProvider implements SmsProvider {
  constructor(
    private readonly client: TwilioClient,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  async send(sms: OutgoingSms): Promise<HandOverResult> {
    let last = 'no attempt made';
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      try {
        const message = await this.client.messages.create({ to: sms.to, from: sms.from, body: sms.body, statusCallback: sms.statusCallback });
        return { outcome: 'accepted', sid: message.sid, status: message.status };
      } catch (error) {
        const status = (error as { status?: number }).status;
        const code = (error as { code?: number }).code;
        const text = error instanceof Error ? error.message : String(error);
        if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) {
          return { outcome: 'refused', providerCode: typeof code === 'number' ? code : null, message: `Twilio refused the message (HTTP ${status}${code ? `, error ${code}` : ''}): ${text}` };
        }
        last = typeof status === 'number' ? `HTTP ${status}${code ? ` (error ${code})` : ''}: ${text}` : text;
        if (attempt < this.retry.attempts) await sleep(backoff(this.retry, attempt));
      }
    }
    return { outcome: 'unavailable', message: `the provider could not take the message after ${this.retry.attempts} attempts: ${last}` };
  }
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter, so that many senders retrying at once do not hit the provider in step.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
