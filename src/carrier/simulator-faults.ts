import type { Response } from 'express';

/**
 * A misbehaviour for the next requests to Messages.json: an error status or a cut connection,
 * before the message is made or after it (the answer lost), or an answer held back.
 */
export interface CarrierFault {
  /** 429, 500, 502 or 503; absent with `reset`. */
  status?: number;
  /** Cut the connection instead of answering. */
  reset?: boolean;
  /** Make the message (and its callbacks) first, then fail: the carrier took it, the answer is lost. */
  afterCreate?: boolean;
  /** Twilio's error code in the answer, e.g. 21610 with status 400. */
  code?: number;
  /** Seconds, sent as Retry-After with a 429. */
  retryAfter?: number;
  /** Answer this late (the message is made at once): status callbacks overtake the answer. */
  delayMs?: number;
  count: number;
}

const FAULT_STATUSES = [400, 429, 500, 502, 503];

export function parseFault(body: Record<string, unknown>): CarrierFault | string {
  const count = Number(body.count ?? 1);
  if (!Number.isInteger(count) || count < 1) return 'count must be a positive whole number';
  const fault: CarrierFault = { count, afterCreate: body.afterCreate === true };
  if (body.reset === true) fault.reset = true;
  else if (body.delayMs !== undefined) {
    const delayMs = Number(body.delayMs);
    if (!Number.isInteger(delayMs) || delayMs < 1 || delayMs > 60_000) return 'delayMs must be a whole number of ms from 1 to 60000';
    fault.delayMs = delayMs;
  } else {
    const status = Number(body.status);
    if (!FAULT_STATUSES.includes(status)) return 'status must be 400, 429, 500, 502 or 503 (or reset: true, or delayMs)';
    fault.status = status;
    if (body.code !== undefined) {
      if (!Number.isInteger(body.code)) return 'code must be a whole Twilio error code';
      fault.code = Number(body.code);
    }
  }
  if (body.retryAfter !== undefined) {
    const retryAfter = Number(body.retryAfter);
    if (!Number.isFinite(retryAfter) || retryAfter < 0) return 'retryAfter must be a number of seconds';
    fault.retryAfter = retryAfter;
  }
  return fault;
}

export function failWith(res: Response, fault: CarrierFault): void {
  if (fault.reset) {
    res.socket?.destroy();
    return;
  }
  const status = fault.status ?? 500;
  if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
  const code = fault.code ?? (status === 429 ? 20429 : status === 400 ? 21211 : 20500);
  twilioError(res, status, code, status === 429 ? 'Too Many Requests' : status === 400 ? `Refused with error ${code}` : 'Internal Server Error');
}

export function twilioError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}
