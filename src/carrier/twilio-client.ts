import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';
import type { TwilioConfig } from '../config';

type RequestOptions = ConstructorParameters<typeof twilio.RequestClient>[0];
type RequestArgs = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

const TWILIO_API = /^https:\/\/api\.twilio\.com/;
const IDLE_SOCKET_MS = 4000;

/** A 429 answer, with the wait the carrier asked for (the twilio package's RestException drops headers). */
export class CarrierThrottled extends Error {
  readonly status = 429;
  constructor(readonly retryAfterMs: number | null, readonly code: number | null) {
    super(`HTTP 429${code ? ` (error ${code})` : ''}: too many requests${retryAfterMs !== null ? `, retry after ${retryAfterMs} ms` : ''}`);
  }
}

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
    // Idle sockets close before a Node server's own 5 s keep-alive ends: a request written on a
    // socket the server is closing dies with a reset, and a reset is a lost answer, never resent.
    const idle = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: IDLE_SOCKET_MS };
    this.axios.defaults.httpAgent = new http.Agent(idle);
    if (baseUrl.startsWith('https:') && !TWILIO_API.test(baseUrl)) this.axios.defaults.httpsAgent = new https.Agent(idle);
  }

  override async request<TData>(opts: RequestArgs & { data?: TData }) {
    const response = await super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_API, this.baseUrl) });
    if (response.statusCode === 429) throw new CarrierThrottled(retryAfterMs(response.headers), errorCodeOf(response.body));
    return response;
  }
}

function retryAfterMs(headers: unknown): number | null {
  const raw = (headers as Record<string, unknown> | undefined)?.['retry-after'];
  if (typeof raw !== 'string' || !raw.trim()) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function errorCodeOf(body: unknown): number | null {
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const code = (parsed as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export type TwilioClient = ReturnType<typeof twilio>;

export function createTwilioClient(config: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'> & { timeoutMs?: number }, maxSockets?: number): TwilioClient {
  const httpClient = new BaseUrlRequestClient(config.apiBaseUrl.replace(/\/+$/, ''), { maxSockets, timeout: config.timeoutMs });
  const client = twilio(config.accountSid, config.authToken, { httpClient });
  // The package loads its Messages API on first use (40 ms, more on a busy machine): done now,
  // not inside the first hand-overs, which would leave late and bunch up with the next paced ones.
  void client.messages;
  return client;
}
