import { request } from 'node:http';
import pino from 'pino';
import { ADMIN_TOKEN, describeEachDatabase, type TestApp } from './helpers/app';
import { createAccount, type AccountFixture } from './helpers/fixtures';
import { subscribe, wsClient } from './helpers/ws-client';

const LIMIT = 5;
const logLines: string[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });

/** POSTs { viewer { id } } from a given loopback address, as a distinct client would. */
function viewerFrom(app: TestApp, localAddress: string, token: string): Promise<{ status: number; retryAfter?: string; body: any }> {
  const url = new URL(`${app.url}/graphql`);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query: '{ viewer { id } }' }));
  });
}

const wrongKey = (prefix: string, i: number) => `${prefix}${String(i).padStart(40, '0')}`;

describeEachDatabase('failed authentication', (app) => {
  let account: AccountFixture;

  beforeAll(async () => {
    account = await createAccount(app(), 'Locked out?');
  });

  it('answers 429 with Retry-After after a burst of wrong keys from one address, while valid keys from it keep working', async () => {
    const answers = [];
    for (let i = 0; i <= LIMIT; i++) answers.push(await viewerFrom(app(), '127.0.0.2', wrongKey(`sb_addr${i}`, i)));
    expect(answers.slice(0, LIMIT).map((a) => [a.status, a.body.errors?.[0].extensions?.code])).toEqual(Array(LIMIT).fill([200, 'UNAUTHENTICATED']));
    const limited = answers[LIMIT];
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(limited.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    const valid = await viewerFrom(app(), '127.0.0.2', account.key);
    expect(valid.status).toBe(200);
    expect(valid.body.data.viewer.id).toBe(account.id);
    expect((await viewerFrom(app(), '127.0.0.2', ADMIN_TOKEN)).status).toBe(200);
  });

  it('limits one key prefix tried from many addresses, and not other prefixes', async () => {
    const statuses = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await viewerFrom(app(), `127.0.0.${10 + i}`, wrongKey('sb_samepre', i))).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
    expect((await viewerFrom(app(), '127.0.0.30', wrongKey('sb_otherpr', 1))).status).toBe(200);
  });

  it('logs each refusal at warn with the address and the prefix, never the secret', async () => {
    const secret = wrongKey(`sb_logged${app().kind[0]}`, 7);
    await viewerFrom(app(), '127.0.0.40', secret);
    const entry = logLines.map((line) => JSON.parse(line)).find((e) => e.keyPrefix === secret.slice(0, 10));
    expect(entry).toMatchObject({ level: 40, client: expect.stringContaining('127.0.0.40'), msg: expect.stringMatching(/authentication refused/) });
    expect(logLines.join('\n')).not.toContain(secret);
  });

  it('closes a graphql-ws connection with 4429 past the limit, and accepts Authorization spelled either way', async () => {
    for (let i = 0; i < LIMIT; i++) await viewerFrom(app(), '127.0.0.1', wrongKey(`sb_wsocket${i}`, i));
    const refused = wsClient(app().url, wrongKey('sb_wsockex', 9));
    const closed = new Promise<{ code: number }>((resolve) => refused.on('closed', (event) => resolve(event as { code: number })));
    subscribe(refused, 'subscription { deliveryEvents { status } }');
    expect((await closed).code).toBe(4429);
    await refused.dispose();
    for (const name of ['authorization', 'Authorization']) {
      const client = wsClient(app().url, null, { [name]: `Bearer ${account.key}` });
      const acked = new Promise<void>((resolve) => client.on('connected', () => resolve()));
      const live = subscribe(client, 'subscription { deliveryEvents { status } }');
      await acked;
      await live.close();
      await client.dispose();
    }
  });
}, { env: { AUTH_FAILURE_LIMIT: String(LIMIT) }, logger });
