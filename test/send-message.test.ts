import { IdempotencyKey } from '../src/messaging/idempotency-key.entity';
import { describeEachDatabase, type TestApp } from './helpers/app';
import { carrierMessages, setupWorld, until, type CampaignWorld } from './helpers/campaign-fixtures';
import { conversationWith, postInbound, messageSid } from './helpers/inbox';

const SEND = `mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { replayed message { id status from to body } error { code providerCode message } }
}`;

let seq = 0;
/** A fresh valid US number (202-555-2xxx). */
function fresh(): string {
  seq += 1;
  return `+1202555${String(2000 + seq).padStart(4, '0')}`;
}

async function send(app: TestApp, world: CampaignWorld, input: Record<string, unknown>, key = world.account.key) {
  return app.gql(SEND, { input: { groupId: world.groupId, ...input } }, key);
}

describeEachDatabase('sendMessage', (app) => {
  let world: CampaignWorld;
  const carrier = () => `${app().url}/carrier`;

  beforeAll(async () => {
    world = await setupWorld(app(), 'Partner', {
      countries: ['US', 'GB'],
      senders: [{ type: 'LONG_CODE', value: '+12025550100', maxPerSecond: 50 }, { type: 'ALPHANUMERIC', value: 'Partner', country: 'GB', maxPerSecond: 50 }],
      contacts: [],
    });
  });

  it('queues a templated message from the sender the routing picks, and the carrier gets it once', async () => {
    const to = fresh();
    const res = await send(app(), world, { to, body: 'Hi {{first_name}}, your code is {{attributes.code}}', contact: { firstName: 'Ada', attributes: { plan: 'pro' } }, variables: { code: '4711' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.sendMessage).toMatchObject({ replayed: false, error: null, message: { status: 'QUEUED', from: '+12025550100', to, body: 'Hi Ada, your code is 4711' } });
    await until('the carrier took it', async () => (await carrierMessages(carrier(), to)).length === 1);
    const contact = await app().ok(`query($a: ID, $p: String!) { contactByPhone(accountId: $a, phoneNumber: $p) { firstName attributes } }`, { a: world.account.id, p: to }, world.account.key);
    // The contact fields are stored; the variables are for this message only.
    expect(contact.contactByPhone).toEqual({ firstName: 'Ada', attributes: { plan: 'pro' } });
  });

  const REFUSALS: Array<{ name: string; input: () => Record<string, unknown>; before?: (to: string) => Promise<void>; code: string }> = [
    { name: 'an invalid number', input: () => ({ to: '+1202', body: 'x' }), code: 'INVALID_PHONE_NUMBER' },
    { name: 'a region the account has not enabled', input: () => ({ to: '+33612345678', body: 'x' }), code: 'GEO_PERMISSION_DENIED' },
    { name: 'a body over 1600 characters', input: () => ({ to: fresh(), body: 'x'.repeat(1601) }), code: 'INVALID_BODY' },
    { name: 'a blocked prefix', input: () => ({ to: '+12025559999', body: 'x' }), before: async () => {
      await app().ok(`mutation($a: ID!) { blockPrefix(accountId: $a, prefix: "+120255599") { id } }`, { a: world.account.id }, world.account.key);
    }, code: 'PREFIX_BLOCKED' },
    { name: 'a recipient who opted out of the group', input: () => ({ to: '+12025558888', body: 'x' }), before: async () => {
      await app().ok(`mutation($g: ID!) { setSubscription(groupId: $g, phoneNumber: "+12025558888", status: UNSUBSCRIBED) { status } }`, { g: world.groupId }, world.account.key);
    }, code: 'RECIPIENT_UNSUBSCRIBED' },
    { name: 'a US number from a group with only a GB alphanumeric sender and no fallback', input: () => ({ to: fresh(), body: 'x', groupId: 'other' }), code: 'NO_ELIGIBLE_SENDER' },
  ];

  it.each(REFUSALS.map((c) => [c.name, c] as const))('answers a SendError, not an exception, for %s, and sends nothing', async (_name, c) => {
    const input = c.input();
    if (input.groupId === 'other') {
      const gbOnly = await setupWorld(app(), 'GB only', { countries: ['US', 'GB'], senders: [{ type: 'ALPHANUMERIC', value: 'OnlyGB', country: 'GB' }], contacts: [], account: world.account });
      input.groupId = gbOnly.groupId;
    }
    await c.before?.(String(input.to));
    const res = await app().gql(SEND, { input: { groupId: world.groupId, ...input } }, world.account.key);
    expect(res.errors).toBeUndefined();
    expect(res.data.sendMessage).toMatchObject({ message: null, error: { code: c.code } });
    expect(await carrierMessages(carrier(), String(input.to))).toHaveLength(0);
  });

  it('threads the message into the contact\'s conversation', async () => {
    const to = fresh();
    const sms = await postInbound(app(), { MessageSid: messageSid(), From: to, To: '+12025550100', Body: 'hello' });
    expect(sms.status).toBe(200);
    const res = await send(app(), world, { to, body: 'your order shipped' });
    const thread = await conversationWith(app(), { account: world.account, groupId: world.groupId, senderId: world.senders[0].id, senderValue: '+12025550100' }, to);
    expect(thread.lastMessage).toEqual({ id: res.data.sendMessage.message.id, body: 'your order shipped', direction: 'OUTBOUND' });
  });

  describe('idempotency keys', () => {
    it('answers the first result for the same key and input and sends nothing new', async () => {
      const to = fresh();
      const first = await send(app(), world, { to, body: 'once', idempotencyKey: 'order-1' });
      const again = await send(app(), world, { to, body: 'once', idempotencyKey: 'order-1' });
      expect(again.data.sendMessage).toEqual({ ...first.data.sendMessage, replayed: true, message: { ...first.data.sendMessage.message, status: expect.any(String) } });
      await until('the carrier took it', async () => (await carrierMessages(carrier(), to)).length >= 1);
      await app().server.services.dispatcher.settle(5000);
      expect(await carrierMessages(carrier(), to)).toHaveLength(1);
    });

    it('answers the first refusal again for the same key and input', async () => {
      const first = await send(app(), world, { to: '+33612345679', body: 'x', idempotencyKey: 'refused-1' });
      const again = await send(app(), world, { to: '+33612345679', body: 'x', idempotencyKey: 'refused-1' });
      expect(first.data.sendMessage.error.code).toBe('GEO_PERMISSION_DENIED');
      expect(again.data.sendMessage).toEqual({ ...first.data.sendMessage, replayed: true });
    });

    it('treats the same number written two ways as the same input', async () => {
      const to = fresh();
      const first = await send(app(), world, { to, body: 'same', idempotencyKey: 'spelling' });
      const again = await send(app(), world, { to: `(${to.slice(2, 5)}) ${to.slice(5, 8)}-${to.slice(8)}`, body: 'same', idempotencyKey: 'spelling' });
      expect(again.data.sendMessage.message.id).toBe(first.data.sendMessage.message.id);
    });

    it.each([
      ['another body', { body: 'other' }],
      ['another number', { to: '+12025557777' }],
      ['other variables', { variables: { code: '2' } }],
    ])('refuses the same key with %s (BAD_USER_INPUT)', async (_name, change) => {
      const base = { to: '+12025557776', body: 'base', variables: { code: '1' }, idempotencyKey: `changed-${_name}` };
      expect((await send(app(), world, base)).errors).toBeUndefined();
      const res = await send(app(), world, { ...base, ...change });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    });

    it('keeps keys per account: another account may use the same key', async () => {
      const other = await setupWorld(app(), 'Other partner', { countries: ['US'], senders: [{ type: 'LONG_CODE', value: '+12025550101' }], contacts: [] });
      const to = fresh();
      const mine = await send(app(), world, { to, body: 'a', idempotencyKey: 'shared-key' });
      const theirs = await send(app(), other, { to, body: 'a', idempotencyKey: 'shared-key' });
      expect(theirs.data.sendMessage.replayed).toBe(false);
      expect(theirs.data.sendMessage.message.id).not.toBe(mine.data.sendMessage.message.id);
    });

    const nested = (depth: number) => {
      let value: Record<string, unknown> = { leaf: 1 };
      for (let i = 1; i < depth; i++) value = { inner: value };
      return value;
    };
    it.each<[string, Record<string, unknown>, string]>([
      ['a first name of 201 characters', { contact: { firstName: 'n'.repeat(201) } }, 'contact.firstName'],
      ['attributes nested 11 deep', { contact: { attributes: nested(11) } }, 'contact.attributes'],
      ['attributes nested 3,000 deep', { contact: { attributes: nested(3000) } }, 'contact.attributes'],
      ['attributes of 16,001 characters as JSON', { contact: { attributes: { a: 'x'.repeat(16_000) } } }, 'contact.attributes'],
      ['variables nested 11 deep', { variables: nested(11) }, 'variables'],
    ])('refuses %s as an import would, naming the field, before anything is sent', async (_name, extra, field) => {
      const to = fresh();
      const res = await send(app(), world, { to, body: 'x', ...extra });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await carrierMessages(carrier(), to)).toHaveLength(0);
    });

    it("refuses attributes that would take the contact's stored ones over the bound, and keeps what it has", async () => {
      const to = fresh();
      const first = await send(app(), world, { to, body: 'x', contact: { attributes: { a: 'x'.repeat(9_000) } } });
      expect(first.errors).toBeUndefined();
      const res = await send(app(), world, { to, body: 'y', contact: { attributes: { b: 'y'.repeat(9_000) } } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contact.attributes' });
      await until('the carrier took the first', async () => (await carrierMessages(carrier(), to)).length >= 1);
      await app().server.services.dispatcher.settle(5000);
      expect((await carrierMessages(carrier(), to)).map((m) => m.body)).toEqual(['x']);
    });

    it('refuses a key of 10 KB, naming the field, before anything is sent', async () => {
      const to = fresh();
      const res = await send(app(), world, { to, body: 'x', idempotencyKey: 'k'.repeat(10 * 1024) });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
      expect(await carrierMessages(carrier(), to)).toHaveLength(0);
    });

    it('queues exactly one message, and the carrier gets one request, for 100 concurrent requests with one key', async () => {
      const to = fresh();
      const answers = await Promise.all(Array.from({ length: 100 }, () => send(app(), world, { to, body: 'race', idempotencyKey: 'race-key' })));
      expect(answers.flatMap((a) => a.errors ?? [])).toEqual([]);
      const ids = new Set(answers.map((a) => a.data.sendMessage.message.id));
      expect(ids.size).toBe(1);
      expect(answers.filter((a) => !a.data.sendMessage.replayed)).toHaveLength(1);
      await until('the carrier took it', async () => (await carrierMessages(carrier(), to)).length >= 1);
      await app().server.services.dispatcher.settle(5000);
      expect(await carrierMessages(carrier(), to)).toHaveLength(1);
      const log = await app().ok(`query { messages(first: 500, direction: OUTBOUND) { nodes { to } } }`, {}, world.account.key);
      expect(log.messages.nodes.filter((m: { to: string }) => m.to === to)).toHaveLength(1);
    });

    it('purges keys older than the retention, after which the key sends again', async () => {
      const to = fresh();
      await send(app(), world, { to, body: 'old', idempotencyKey: 'expiring' });
      const { dataSource } = app().server.services;
      await dataSource.getRepository(IdempotencyKey).update({ key: 'expiring' }, { createdAt: new Date(Date.now() - 25 * 3600_000) });
      const again = await send(app(), world, { to, body: 'old', idempotencyKey: 'expiring' });
      expect(again.data.sendMessage.replayed).toBe(false);
    });
  });
});
