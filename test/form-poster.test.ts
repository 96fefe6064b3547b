import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FormPoster } from '../src/carrier/form-poster';

// The carrier simulator's callbacks to the server: a form body with its headers, the answer's
// status and text back, a bounded wait, and one kept connection for many posts.

interface Seen { body: string; type?: string; length?: string; signature?: string }

describe('FormPoster', () => {
  let server: Server;
  let url: string;
  let connections = 0;
  const seen: Seen[] = [];
  const poster = new FormPoster(300);

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ body, type: req.headers['content-type'], length: req.headers['content-length'], signature: req.headers['x-twilio-signature'] as string });
        if (req.url === '/silent') return;
        res.writeHead(req.url === '/fail' ? 500 : 200, { 'content-type': 'text/xml' });
        res.end(req.url === '/fail' ? 'broken' : '<Response/>');
      });
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    poster.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each<{ path: string; form: Record<string, string>; answer: { status: number; response: string } }>([
    { path: '/ok', form: { MessageSid: 'SM1', MessageStatus: 'sent', Body: 'a & b = ü' }, answer: { status: 200, response: '<Response/>' } },
    { path: '/fail', form: { MessageSid: 'SM2' }, answer: { status: 500, response: 'broken' } },
  ])('posts $path as a signed form and answers what the server said', async ({ path, form, answer }) => {
    seen.length = 0;
    await expect(poster.post(`${url}${path}`, form, { 'x-twilio-signature': 'sig' })).resolves.toEqual(answer);
    const body = new URLSearchParams(form).toString();
    expect(seen).toEqual([{ body, type: 'application/x-www-form-urlencoded', length: String(Buffer.byteLength(body)), signature: 'sig' }]);
  });

  it('keeps one connection for posts one after another', async () => {
    await poster.post(`${url}/ok`, { n: '0' }, {});
    const before = connections;
    for (let i = 1; i <= 5; i++) await poster.post(`${url}/ok`, { n: String(i) }, {});
    expect(connections).toBe(before);
  });

  it.each([
    { name: 'a server that never answers', target: () => `${url}/silent`, error: 'no answer within 300 ms' },
    { name: 'a URL that is not http(s)', target: () => 'ftp://127.0.0.1/x', error: 'cannot post to ftp: URLs' },
    { name: 'nobody listening', target: () => 'http://127.0.0.1:1/x', error: 'ECONNREFUSED' },
  ])('fails on $name', async ({ target, error }) => {
    await expect(poster.post(target(), { a: '1' }, {})).rejects.toThrow(error);
  });
});
