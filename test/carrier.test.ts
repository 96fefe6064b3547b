import { createTwilioClient } from '../src/carrier/twilio-client';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '../src/config';
import { describeEachDatabase } from './helpers/app';
import { carrierFault, carrierMessages, createCampaign, setupWorld, usPhone, waitForCampaign } from './helpers/campaign-fixtures';

describeEachDatabase('carrier: twilio client and simulator', (app) => {
  const carrier = () => `${app().url}/carrier`;

  it('answers the real twilio client like Twilio: 201 with an SM sid and queued, 4xx as RestException', async () => {
    const client = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: carrier() });
    const message = await client.messages.create({ to: '+12025550199', from: '+12025550100', body: 'direct' });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(message.numSegments).toBe('1');
    await expect(client.messages.create({ to: '+15005550001', from: '+12025550100', body: 'x' })).rejects.toMatchObject({ status: 400, code: 21211 });
    const intruder = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: 'wrong', apiBaseUrl: carrier() });
    await expect(intruder.messages.create({ to: '+12025550199', from: '+12025550100', body: 'x' })).rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it("turns the provider's 4xx refusals into FAILED with providerCode, never retried", async () => {
    const world = await setupWorld(app(), 'Refused', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 20 }], contacts: [{ phoneNumber: '+15005550001' }, { phoneNumber: '+15005550004' }] });
    const id = await createCampaign(app(), world, 'Refused by the carrier');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const done = await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    const codes = done.messages.nodes.map((m: any) => [m.to, m.status, m.error?.code, m.error?.providerCode]).sort();
    expect(codes).toEqual([['+15005550001', 'FAILED', 'PROVIDER_ERROR', 21211], ['+15005550004', 'FAILED', 'PROVIDER_ERROR', 21610]]);
    expect(done.stats.failed).toBe(2);
  });

  it('retries a 429, which the carrier surely did not take, and never posts again after a 503, which it may have', async () => {
    const lucky = usPhone();
    const world = await setupWorld(app(), 'Throttled', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 20 }], contacts: [{ phoneNumber: lucky }] });
    await carrierFault(carrier(), 429, 2);
    const id = await createCampaign(app(), world, 'Eventually');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const done = await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    expect(done.messages.nodes[0]).toMatchObject({ status: 'DELIVERED' });
    const attempts = await app().ok('query($id: ID!) { message(id: $id) { attempts lastProviderResponse } }', { id: done.messages.nodes[0].id }, world.account.key);
    expect(attempts.message).toMatchObject({ attempts: 3, lastProviderResponse: expect.stringMatching(/^HTTP 201: SM/) });
    expect(await carrierMessages(carrier(), lucky)).toHaveLength(1);

    const unlucky = usPhone();
    const down = await setupWorld(app(), 'Lost', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 20 }], contacts: [{ phoneNumber: unlucky }] });
    await carrierFault(carrier(), 503, 1);
    const id2 = await createCampaign(app(), down, 'Never');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: id2 }, down.account.key);
    const failed = await waitForCampaign(app(), down.account.key, id2, ['COMPLETED']);
    expect(failed.messages.nodes[0]).toMatchObject({ status: 'FAILED', error: { code: 'PROVIDER_ERROR', providerCode: null } });
    expect(failed.messages.nodes[0].error.message).toMatch(/carrier has no record of the message/);
    expect(await carrierMessages(carrier(), unlucky)).toHaveLength(0);
  });

  it('injects a signed inbound reply into the server', async () => {
    const auth = 'Basic ' + Buffer.from(`${SIMULATOR_ACCOUNT_SID}:${SIMULATOR_AUTH_TOKEN}`).toString('base64');
    const res = await fetch(`${carrier()}/dev/inbound`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ From: usPhone(), To: '+12025550100', Body: 'hello' }) });
    const answer = (await res.json()) as { status: number; messageSid: string; response: string };
    // The signature matched (not 403): the inbound webhook took it.
    expect(answer.status).toBe(200);
    expect(answer.messageSid).toMatch(/^SM/);
    expect((await fetch(`${carrier()}/dev/messages`)).status).toBe(401);
  });
}, { env: { SIMULATOR_UNDELIVERED_SHARE: '0' } });
