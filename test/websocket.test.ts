import WebSocket from 'ws';
import { MAX_BODY_BYTES } from '../src/server';
import { describeEachDatabase, type TestApp } from './helpers/app';
import { until } from './helpers/campaign-fixtures';
import { createAccount } from './helpers/fixtures';
import { conversationWith, messageSid, postInbound, setupInbox, usNumber } from './helpers/inbox';
import { subscribe, subscribed, wsClient } from './helpers/ws-client';

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

  it('refuses a subscription narrowed to another tenant\'s group, campaign or conversation as NOT_FOUND', async () => {
    const owner = await setupInbox(app(), 'WS owner');
    const stranger = await createAccount(app(), 'WS stranger');
    const from = usNumber();
    await postInbound(app(), { MessageSid: messageSid(), From: from, To: owner.senderValue, Body: 'hi' });
    const conversation = await conversationWith(app(), owner, from);
    const campaign = await app().ok(`mutation($g: ID!) { createCampaign(input: { groupId: $g, name: "c", body: "b" }) { id } }`, { g: owner.groupId }, owner.account.key);
    const cases = [
      ['subscription($id: ID) { replyReceived(groupId: $id) { keyword } }', owner.groupId],
      ['subscription($id: ID) { replyReceived(conversationId: $id) { keyword } }', conversation.id],
      ['subscription($id: ID) { deliveryEvents(campaignId: $id) { status } }', campaign.createCampaign.id],
      ['subscription($id: ID!) { campaignProgress(campaignId: $id) { sent } }', campaign.createCampaign.id],
      ['subscription($id: ID) { deliveryEvents(conversationId: $id) { status } }', '999999'],
    ];
    const client = wsClient(app().url, stranger.key);
    for (const [query, id] of cases) {
      const live = subscribe(client, query, { id });
      await expect(live.error).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
    }
    // The owner may narrow to its own.
    const ownerClient = wsClient(app().url, owner.account.key);
    const [own] = await subscribed(app().url, () => [subscribe(ownerClient, 'subscription($id: ID) { replyReceived(conversationId: $id) { message { body } } }', { id: conversation.id })]);
    await postInbound(app(), { MessageSid: messageSid(), From: from, To: owner.senderValue, Body: 'again' });
    expect(await own.next()).toEqual({ replyReceived: { message: { body: 'again' } } });
    await Promise.all([client.dispose(), ownerClient.dispose()]);
  });
  it('answers queries and mutations over graphql-ws with the same error codes as over HTTP', async () => {
    const acme = await createAccount(app(), 'Errors over ws');
    const client = wsClient(app().url, acme.key);
    try {
      for (const document of [
        'mutation { markConversationRead(id: "cnv_0000000000000000000000") { id } }',
        'mutation { createCampaign(input: { groupId: "grp_0000000000000000000000", name: "c", body: "b" }) { id } }',
        'query { conversations(first: -1) { edges { node { id } } } }',
      ]) {
        const overHttp = await app().gql(document, {}, acme.key);
        const code = overHttp.errors?.[0]?.extensions?.code;
        expect(code).toEqual(expect.any(String));
        expect(code).not.toBe('INTERNAL_SERVER_ERROR');
        const overWs = subscribe(client, document);
        await expect(overWs.error).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code }) })]);
      }
    } finally {
      await client.dispose();
    }
  });

  it('takes a subscribe frame up to the HTTP body limit, and closes the socket with 1009 past it', async () => {
    const acme = await createAccount(app(), 'Big frames');
    const { socket } = await connect(app(), { authorization: `Bearer ${acme.key}` });
    const answers: Array<{ id: string; type: string }> = [];
    socket.on('message', (data) => answers.push(JSON.parse(String(data))));
    const frame = (id: string, padBytes: number) => JSON.stringify({ id, type: 'subscribe', payload: { query: '{ __typename }', variables: { pad: 'x'.repeat(padBytes) } } });
    socket.send(frame('under', MAX_BODY_BYTES - 1024));
    await until('the frame under the limit answered', async () => answers.some((a) => a.id === 'under' && a.type === 'complete'));
    expect(answers.filter((a) => a.id === 'under').map((a) => a.type)).toEqual(['next', 'complete']);
    const closing = closed(socket);
    socket.send(frame('over', MAX_BODY_BYTES + 1));
    expect(await closing).toBe(1009);
    expect(answers.some((a) => a.id === 'over')).toBe(false);
  });
});
