import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type https from 'node:https';
import { BaseUrlRequestClient, createTwilioClient } from '../src/carrier/twilio-client';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '../src/config';

// The send queue hands over in waves of up to its concurrency; the client's connections must
// outlive the gaps between waves rather than be closed and opened again (TLS to Twilio).
describe('twilio client connection pool', () => {
  let server: Server;
  let url: string;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      // Slow enough that a whole wave is in flight at once.
      req.on('end', () => setTimeout(() => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: `SM${'0'.repeat(32)}`, status: 'queued' }));
      }, 50));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reuses the connections of one wave of hand-overs for the next instead of opening new ones', async () => {
    const client = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: url });
    const wave = () => Promise.all(Array.from({ length: 150 }, (_, i) =>
      client.messages.create({ to: `+1415555${String(i).padStart(4, '0')}`, from: '+12025550100', body: 'wave' })));
    await wave();
    const afterFirst = connections;
    expect(afterFirst).toBe(128);
    // The gap between two waves is the point: connections must outlive it, idle.
    await new Promise((r) => setTimeout(r, 100));
    await wave();
    expect(connections).toBe(afterFirst);
    server.closeAllConnections();
  });

  it('keeps as many connections to Twilio itself as to any other carrier', () => {
    const client = new BaseUrlRequestClient('https://api.twilio.com');
    const agent = client.axios.defaults.httpsAgent as https.Agent;
    expect({ maxSockets: agent.maxSockets, maxFreeSockets: agent.maxFreeSockets }).toEqual({ maxSockets: 128, maxFreeSockets: 128 });
  });
});
