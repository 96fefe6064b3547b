import { CarrierThrottled, type TwilioClient } from './twilio-client';

export interface OutgoingSms {
  to: string;
  from: string;
  body: string;
  statusCallback: string;
}

interface Attempted {
  /** Requests made for this hand-over. */
  attempts: number;
  /** The carrier's last answer, in words, for the operator. */
  response: string;
}

export type HandOverResult =
  | ({ outcome: 'accepted'; sid: string; status: string } & Attempted)
  /** The carrier refused the message (4xx): final, never retried. */
  | ({ outcome: 'refused'; providerCode: number | null; message: string } & Attempted)
  /** The request may have reached the carrier but its answer was lost (5xx, reset, timeout): never posted again. */
  | ({ outcome: 'unknown'; message: string } & Attempted)
  /** The carrier surely did not take it (connection refused, 429) and still would not after the retries. */
  | ({ outcome: 'unavailable'; message: string; retryAfterMs: number | null } & Attempted);

export interface CarrierMessage {
  sid: string;
  status: string;
  body: string;
  createdAt: Date | null;
}

export type LookupResult = { ok: true; candidates: CarrierMessage[] } | { ok: false; message: string };

export type FetchResult = { ok: true; status: string; errorCode: number | null } | { ok: false; message: string };

export interface SmsProvider {
  send(sms: OutgoingSms): Promise<HandOverResult>;
  /** What the carrier holds from `sms.from` to `sms.to` with its body, made at or after `since`. */
  lookup(sms: Pick<OutgoingSms, 'to' | 'from' | 'body'>, since: Date): Promise<LookupResult>;
  /** The carrier's status of one message, for one whose callbacks never came. */
  fetchStatus(sid: string): Promise<FetchResult>;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  /** Longest wait inside one hand-over; a longer Retry-After goes back to the queue instead. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4000 };

/** Network errors raised before a byte of the request could reach the carrier. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** How far back a look-up searches before the attempt: the two clocks may differ a little. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Hands messages to Twilio's Messages resource, at most once: only what the carrier surely did
 * not take (a refused connection, a 429) is retried. The loop is ours rather than a retry
 * library's because the rule is in the classification, not in the waiting.
 */
export class TwilioProvider implements SmsProvider {
  constructor(
    private readonly client: TwilioClient,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  async send(sms: OutgoingSms): Promise<HandOverResult> {
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        const message = await this.client.messages.create({ to: sms.to, from: sms.from, body: sms.body, statusCallback: sms.statusCallback });
        return { outcome: 'accepted', sid: message.sid, status: message.status, attempts, response: `HTTP 201: ${message.sid} ${message.status}` };
      } catch (error) {
        const failure = classify(error);
        if (failure.kind === 'refused') {
          return { outcome: 'refused', providerCode: failure.code, message: `the carrier refused the message (${failure.text})`, attempts, response: failure.text };
        }
        if (failure.kind === 'unknown') {
          return { outcome: 'unknown', message: `the carrier's answer was lost (${failure.text}), so nobody knows whether the message left; it is not sent again`, attempts, response: failure.text };
        }
        const wait = failure.retryAfterMs ?? backoff(this.retry, attempts);
        if (attempts >= this.retry.attempts || wait > this.retry.maxDelayMs) {
          return { outcome: 'unavailable', message: `the carrier did not take the message after ${attempts} attempt${attempts > 1 ? 's' : ''}: ${failure.text}`, attempts, response: failure.text, retryAfterMs: failure.retryAfterMs };
        }
        await sleep(wait);
      }
    }
  }

  async lookup(sms: Pick<OutgoingSms, 'to' | 'from' | 'body'>, since: Date): Promise<LookupResult> {
    // Filtered by To and From, newest first, then by body and creation time here: Twilio's
    // DateSent filter would miss a message still queued at the carrier (its date_sent is empty).
    try {
      const found = await this.client.messages.list({ to: sms.to, from: sms.from, limit: 50 });
      const after = since.getTime() - CLOCK_SKEW_MS;
      const candidates = found
        .filter((m) => m.body === sms.body && (!m.dateCreated || m.dateCreated.getTime() >= after))
        .map((m) => ({ sid: m.sid, status: m.status, body: m.body, createdAt: m.dateCreated ?? null }));
      return { ok: true, candidates };
    } catch (error) {
      return { ok: false, message: classify(error).text };
    }
  }

  async fetchStatus(sid: string): Promise<FetchResult> {
    try {
      const message = await this.client.messages(sid).fetch();
      return { ok: true, status: message.status, errorCode: message.errorCode ?? null };
    } catch (error) {
      return { ok: false, message: classify(error).text };
    }
  }
}

type Failure =
  | { kind: 'refused'; code: number | null; text: string }
  | { kind: 'unknown'; text: string }
  | { kind: 'retryable'; retryAfterMs: number | null; text: string };

function classify(error: unknown): Failure {
  if (error instanceof CarrierThrottled) return { kind: 'retryable', retryAfterMs: error.retryAfterMs, text: error.message };
  const { status, code } = error as { status?: unknown; code?: unknown };
  const detail = error instanceof Error ? error.message : String(error);
  if (typeof status === 'number') {
    const text = `HTTP ${status}${typeof code === 'number' ? ` (error ${code})` : ''}: ${detail}`;
    if (status >= 400 && status < 500) return { kind: 'refused', code: typeof code === 'number' ? code : null, text };
    return { kind: 'unknown', text };
  }
  const networkCode = typeof code === 'string' ? code : (error as { cause?: { code?: string } }).cause?.code;
  const text = networkCode ? `${networkCode}: ${detail}` : detail;
  if (networkCode && NOT_SENT_CODES.has(networkCode)) return { kind: 'retryable', retryAfterMs: null, text };
  return { kind: 'unknown', text };
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter, so that many senders retrying at once do not hit the carrier in step.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
