import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  event: { id: string; type: string; createdAt: string; data: any };
  /** What the receiver answered (or did) for this request. */
  answer: Answer;
}

/** What the receiver does with the n-th request (from 0): answer a status, wait first, redirect, or drop the connection. */
export type Answer = { status: number; delayMs?: number; location?: string } | 'close';

export interface Receiver {
  url: string;
  requests: Received[];
  /** Event ids answered 2xx, in arrival order (an id twice means a duplicate delivery). */
  delivered(): string[];
  /** Most requests in progress at once. */
  maxConcurrent: number;
  close(): Promise<void>;
}

/**
 * A partner's endpoint: a real HTTP server on loopback, answering by `behaviour` (200 when it
 * says nothing), and recording every request with its raw body.
 */
export async function startReceiver(behaviour: (n: number, req: IncomingMessage) => Answer = () => ({ status: 200 })): Promise<Receiver> {
  const requests: Received[] = [];
  let inFlight = 0;
  let arrived = 0;
  const receiver: Receiver = {
    url: '',
    requests,
    maxConcurrent: 0,
    delivered: () => requests.filter((r) => r.answer !== 'close' && r.answer.status >= 200 && r.answer.status < 300).map((r) => r.event.id),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = arrived++;
    inFlight += 1;
    receiver.maxConcurrent = Math.max(receiver.maxConcurrent, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const answer = behaviour(n, req);
      let event;
      try {
        event = JSON.parse(raw);
      } catch {
        event = { id: 'unparsable', type: '', createdAt: '', data: null };
      }
      if (answer !== 'close' && answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      requests.push({ path: req.url ?? '', headers: req.headers, raw, event, answer });
      inFlight -= 1;
      if (answer === 'close') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.location ? { location: answer.location } : {});
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}

/** The README's recipe, as a partner would write it. */
export function verifySwitchboardSignature(secret: string, header: string, rawBody: string, toleranceSeconds = 300): boolean {
  const items = header.split(',').map((item) => item.split('='));
  const timestamp = Number(items.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  return items.some(([key, value]) => key === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '') && timingSafeEqual(Buffer.from(value, 'hex'), expected));
}
