import WebSocket from 'ws';
import { describeEachDatabase, type TestApp } from './helpers/app';
import { createAccount } from './helpers/fixtures';

/** Opens a graphql-transport-ws connection and reports whether it was acknowledged or closed. */
function connect(app: TestApp, payload: Record<string, unknown>): Promise<{ socket: WebSocket; outcome: 'ack' | number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(app.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ socket, outcome: 'ack' });
    });
    socket.once('close', (code) => resolve({ socket, outcome: code }));
    socket.once('error', reject);
  });
}

function closed(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

describeEachDatabase('graphql-ws authentication', (app) => {
  it('closes a connection without a valid key with 4403', async () => {
    expect((await connect(app(), {})).outcome).toBe(4403);
    expect((await connect(app(), { authorization: 'Bearer sb_not-a-real-key' })).outcome).toBe(4403);
    expect((await connect(app(), { authorization: 'sb_missing-bearer' })).outcome).toBe(4403);
  });

  it('acknowledges a valid key, and closes its sockets with 4403 once it is revoked', async () => {
    const acme = await createAccount(app(), 'WS Co');
    const extra = await app().ok(`mutation($id: ID!) { createApiKey(accountId: $id, name: "inbox") { secret apiKey { id } } }`, { id: acme.id }, acme.key);
    const revokedSide = await connect(app(), { authorization: `Bearer ${extra.createApiKey.secret}` });
    const otherSide = await connect(app(), { authorization: `Bearer ${acme.key}` });
    expect(revokedSide.outcome).toBe('ack');
    expect(otherSide.outcome).toBe('ack');
    const closing = closed(revokedSide.socket);
    await app().ok(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: extra.createApiKey.apiKey.id }, acme.key);
    expect(await closing).toBe(4403);
    expect(otherSide.socket.readyState).toBe(WebSocket.OPEN);
    otherSide.socket.close();
    expect((await connect(app(), { authorization: `Bearer ${extra.createApiKey.secret}` })).outcome).toBe(4403);
  });
});
