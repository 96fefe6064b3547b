import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveAllowed, UrlRefused } from './url-guard';

export interface PostOutcome {
  ok: boolean;
  /** The HTTP status, when the endpoint answered. */
  statusCode: number | null;
  /** What went wrong, in words, when not ok. */
  error: string | null;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One POST of a signed event. The host name is resolved and checked once, and the connection goes
 * to that checked address (the lookup the socket uses answers it, so nothing resolves twice);
 * redirects are not followed (a 3xx is a failed attempt); the whole exchange has `timeoutMs`.
 */
export async function postEvent(rawUrl: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; development: boolean }): Promise<PostOutcome> {
  const url = new URL(rawUrl);
  let pinned;
  try {
    pinned = await resolveAllowed(url, options.development);
  } catch (error) {
    if (error instanceof UrlRefused) return { ok: false, statusCode: null, error: error.message };
    throw error;
  }
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = request(url, {
      method: 'POST',
      lookup,
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Switchboard-Webhooks/1', ...headers },
    }, (res: IncomingMessage) => {
      const statusCode = res.statusCode ?? 0;
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        // The answer's body is not used: past a little of it, stop reading.
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      const done = () => finish(statusCode >= 200 && statusCode < 300
        ? { ok: true, statusCode, error: null }
        : { ok: false, statusCode, error: statusCode >= 300 && statusCode < 400 ? `HTTP ${statusCode}: redirects are not followed` : `HTTP ${statusCode}` });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    const timer = setTimeout(() => {
      finish({ ok: false, statusCode: null, error: `no answer within ${options.timeoutMs} ms` });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, statusCode: null, error: `${error.code ?? 'ERROR'}: ${error.message}`.slice(0, 500) }));
    req.end(body);
  });
}
