import { describeEachDatabase, type TestApp } from './helpers/app';
import { conversationWith, messageSid, postInbound, setupInbox } from './helpers/inbox';
import { campaignState, carrierMessages, createCampaign, importContacts, queueLooked, setupWorld, until, waitForCampaign, type CampaignWorld } from './helpers/campaign-fixtures';

// The law's hours and caps at launch and at hand-over, on a clock the test sets: only Date is
// faked (it goes on ticking in real time; timers stay real), so the server in this process
// reads the same instant as the test, and jumps to just before or after 20:00 in Florida.

const HOUR = 3600_000;
let seq = 0;
/** A fresh number in an area code: 305 Miami (Florida, Eastern), 918 Tulsa (Oklahoma, Central), 202 Washington DC. */
function phone(area: string): string {
  seq += 1;
  return `+1${area}555${String(1000 + seq).padStart(4, '0')}`;
}

/** Sunday 4 January 2026, 19:59:50 in Miami (EST, UTC-5). */
const FL_BEFORE_EIGHT = Date.parse('2026-01-05T00:59:50Z');
/** Monday 5 January 2026, 08:00 in Miami. */
const FL_NEXT_MORNING = Date.parse('2026-01-05T13:00:00Z');
/** Monday 5 January 2026, 12:00 in Tulsa (CST, UTC-6). */
const OK_NOON = Date.parse('2026-01-05T18:00:00Z');

function setClock(at: number): void {
  jest.setSystemTime(at);
}

async function pausedQueue<T>(app: TestApp, work: () => Promise<T>): Promise<T> {
  const { dispatcher } = app.server.services;
  await dispatcher.stop();
  try {
    return await work();
  } finally {
    await dispatcher.start();
  }
}

async function world(app: TestApp, name: string, numbers: string[], maxPerSecond = 10): Promise<CampaignWorld> {
  return setupWorld(app, name, { countries: [], senders: [{ type: 'LONG_CODE', value: phone('202'), maxPerSecond }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
}

async function launch(app: TestApp, w: CampaignWorld, body: string, extra: Record<string, unknown> = {}): Promise<{ id: string; answer: any }> {
  const id = await createCampaign(app, w, body, extra);
  const data = await app.ok(`mutation($id: ID!) { launchCampaign(id: $id) { id status validitySeconds estimatedCompletion estimate { estimatedCompletion expiresAt unreachableBeforeExpiry reachableBeforeExpiry } } }`, { id }, w.account.key);
  return { id, answer: data.launchCampaign };
}

const byTo = (state: any) => new Map<string, any>(state.messages.nodes.map((m: any) => [m.to, m]));

describeEachDatabase('the law at launch and at hand-over', (app) => {
  const carrier = () => `${app().url}/carrier`;
  const taken = async (to: string, body: string) => (await carrierMessages(carrier(), to)).filter((m) => m.body === body).length;

  beforeAll(() => {
    jest.useFakeTimers({ now: OK_NOON, advanceTimers: true, doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterAll(() => {
    jest.useRealTimers();
  });

  it('plans a Florida campaign that crosses 20:00 to stop at 20:00 local and go on at 08:00', async () => {
    const numbers = [phone('305'), phone('305'), phone('305')];
    const w = await world(app(), 'Florida launch', numbers, 1);
    const { id } = await pausedQueue(app(), async () => {
      // One a second from 19:59:59: the first is planned before 20:00, the others after.
      setClock(FL_BEFORE_EIGHT + 9_000);
      return launch(app(), w, 'Evening sale');
    });
    const state = await campaignState(app(), w.account.key, id);
    const planned = numbers.map((n) => byTo(state).get(n).sendAfter);
    expect(Date.parse(planned[0])).toBeLessThan(FL_BEFORE_EIGHT + 10_000);
    expect(planned.slice(1)).toEqual([new Date(FL_NEXT_MORNING).toISOString(), new Date(FL_NEXT_MORNING).toISOString()]);
  });

  it('holds at hand-over a Florida message planned before 20:00 that is due after it, until 08:00', async () => {
    const numbers = [phone('305'), phone('305'), phone('305'), phone('202')];
    const w = await world(app(), 'Florida hand-over', numbers);
    const { id } = await pausedQueue(app(), async () => {
      setClock(FL_BEFORE_EIGHT);
      const launched = await launch(app(), w, 'Last call');
      // Planned before 20:00, but the queue looks only at 20:00:05 Miami time.
      setClock(FL_BEFORE_EIGHT + 15_000);
      return launched;
    });
    await queueLooked(app());
    await until('the DC message delivered', async () => (await taken(numbers[3], 'Last call')) === 1);
    const held = await campaignState(app(), w.account.key, id);
    for (const n of numbers.slice(0, 3)) {
      expect({ n, status: byTo(held).get(n).status, sendAfter: byTo(held).get(n).sendAfter, taken: await taken(n, 'Last call') })
        .toEqual({ n, status: 'QUEUED', sendAfter: new Date(FL_NEXT_MORNING).toISOString(), taken: 0 });
    }
    // DC's federal window runs to 21:00.
    expect(byTo(held).get(numbers[3]).status).not.toBe('QUEUED');
    setClock(FL_NEXT_MORNING + 1000);
    await queueLooked(app());
    const done = await waitForCampaign(app(), w.account.key, id, ['COMPLETED']);
    for (const n of numbers) expect(await taken(n, 'Last call')).toBe(1);
    expect(done.stats.rejected).toBe(0);
  });

  it('rejects the 4th campaign in 24 hours to an Oklahoma number at launch: FREQUENCY_CAPPED, even under a looser account cap', async () => {
    setClock(OK_NOON);
    const tulsa = phone('918');
    const dc = phone('202');
    const w = await world(app(), 'Oklahoma launch', [tulsa, dc]);
    // An account may add caps, never lift the law's.
    await app().ok('mutation($a: ID!) { setAccountFrequencyCaps(accountId: $a, caps: [{ maxMessages: 10, windowSeconds: 86400 }]) { maxMessages } }', { a: w.account.id }, w.account.key);
    for (const body of ['One', 'Two', 'Three']) {
      const { id } = await launch(app(), w, body);
      await waitForCampaign(app(), w.account.key, id, ['COMPLETED']);
    }
    const { id } = await launch(app(), w, 'Four');
    const fourth = await waitForCampaign(app(), w.account.key, id, ['COMPLETED']);
    const message = byTo(fourth).get(tulsa);
    expect({ status: message.status, code: message.error?.code }).toEqual({ status: 'REJECTED', code: 'FREQUENCY_CAPPED' });
    expect(message.error.message).toMatch(/US-OK/);
    expect(await taken(tulsa, 'Four')).toBe(0);
    expect(byTo(fourth).get(dc).status).toBe('DELIVERED');
    // 24 hours after the first, a slot frees.
    setClock(OK_NOON + 24 * HOUR + 60_000);
    const { id: later } = await launch(app(), w, 'Next day');
    expect(byTo(await waitForCampaign(app(), w.account.key, later, ['COMPLETED'])).get(tulsa).status).toBe('DELIVERED');
  });

  it('lets only 3 of 4 campaigns racing to an Oklahoma number past the hand-over', async () => {
    setClock(OK_NOON + 3 * 24 * HOUR);
    const tulsa = phone('918');
    const w = await world(app(), 'Oklahoma race', [tulsa]);
    const ids = await pausedQueue(app(), async () => {
      const launched = [];
      for (const body of ['Race 1', 'Race 2', 'Race 3', 'Race 4']) launched.push((await launch(app(), w, body)).id);
      return launched;
    });
    const states = [];
    for (const id of ids) states.push(await waitForCampaign(app(), w.account.key, id, ['COMPLETED']));
    const outcomes = states.map((s) => byTo(s).get(tulsa)).map((m) => `${m.status}${m.error ? ` ${m.error.code}` : ''}`).sort();
    expect(outcomes).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED', 'REJECTED FREQUENCY_CAPPED']);
    const rejected = states.map((s) => byTo(s).get(tulsa)).find((m) => m.status === 'REJECTED');
    expect(rejected.error.message).toMatch(/^refused at hand-over: /);
    expect((await carrierMessages(carrier(), tulsa)).length).toBe(3);
  });

  it("holds an account's and a group's own caps, each over its own scope", async () => {
    setClock(OK_NOON + 6 * 24 * HOUR);
    const dc = phone('202');
    const first = await world(app(), 'Caps A', [dc]);
    const account = first.account;
    const second = await setupWorld(app(), 'Caps B', { account, countries: [], senders: [{ type: 'LONG_CODE', value: phone('202'), maxPerSecond: 10 }], contacts: [] });
    await importContacts(app(), account, second.groupId, [{ phoneNumber: dc }]);
    await app().ok('mutation($g: ID!) { setGroupFrequencyCaps(groupId: $g, caps: [{ maxMessages: 1, windowSeconds: 3600 }]) { maxMessages } }', { g: first.groupId }, account.key);
    await app().ok('mutation($a: ID!) { setAccountFrequencyCaps(accountId: $a, caps: [{ maxMessages: 3, windowSeconds: 86400 }, { maxMessages: 10, windowSeconds: 604800 }]) { maxMessages } }', { a: account.id }, account.key);
    const outcome = async (w: CampaignWorld, body: string) => {
      const { id } = await launch(app(), w, body);
      const m = byTo(await waitForCampaign(app(), account.key, id, ['COMPLETED'])).get(dc);
      return `${m.status}${m.error ? ` ${m.error.code}` : ''}`;
    };
    expect(await outcome(first, 'A1')).toBe('DELIVERED');
    // The group's cap: one an hour in group A, whatever group B does.
    expect(await outcome(first, 'A2')).toBe('REJECTED FREQUENCY_CAPPED');
    expect(await outcome(second, 'B1')).toBe('DELIVERED');
    expect(await outcome(second, 'B2')).toBe('DELIVERED');
    // The account's cap: three a day over both groups.
    expect(await outcome(second, 'B3')).toBe('REJECTED FREQUENCY_CAPPED');
    setClock(OK_NOON + 6 * 24 * HOUR + 2 * HOUR);
    expect(await outcome(first, 'A3')).toBe('REJECTED FREQUENCY_CAPPED');
    const caps = await app().ok('query($a: ID!, $g: ID!) { account(id: $a) { frequencyCaps { maxMessages windowSeconds } } subscriptionGroup(id: $g) { frequencyCaps { maxMessages windowSeconds } } }', { a: account.id, g: first.groupId }, account.key);
    expect(caps).toEqual({ account: { frequencyCaps: [{ maxMessages: 3, windowSeconds: 86400 }, { maxMessages: 10, windowSeconds: 604800 }] }, subscriptionGroup: { frequencyCaps: [{ maxMessages: 1, windowSeconds: 3600 }] } });
  });

  it('fails at hand-over as EXPIRED what is still queued when the validity period ends, and says so at launch', async () => {
    setClock(OK_NOON + 9 * 24 * HOUR);
    const numbers = [phone('202'), phone('202'), phone('202'), phone('202')];
    const w = await world(app(), 'Validity', numbers, 1);
    const { id, answer } = await pausedQueue(app(), async () => {
      const launched = await launch(app(), w, 'Flash sale', { validitySeconds: 2 });
      setClock(Date.now() + 10_000);
      return launched;
    });
    expect(answer.validitySeconds).toBe(2);
    // One a second from the launch: the 4th is planned 3 s in, after the 2 s validity.
    expect(answer.estimate).toMatchObject({ unreachableBeforeExpiry: 1, reachableBeforeExpiry: false });
    expect(Date.parse(answer.estimatedCompletion) - Date.parse(answer.estimate.expiresAt)).toBe(1000);
    const done = await waitForCampaign(app(), w.account.key, id, ['COMPLETED']);
    for (const n of numbers) {
      const m = byTo(done).get(n);
      expect({ status: m.status, code: m.error?.code, taken: await taken(n, 'Flash sale') }).toEqual({ status: 'FAILED', code: 'EXPIRED', taken: 0 });
    }
  });

  it('sweeps as EXPIRED the queued messages that never reach the hand-over', async () => {
    setClock(FL_BEFORE_EIGHT + 12 * 24 * HOUR + 60_000);
    const numbers = [phone('305'), phone('305')];
    const w = await world(app(), 'Validity sweep', numbers);
    // After 20:00 in Miami: held until 08:00, long after the 60 s validity.
    const { id, answer } = await launch(app(), w, 'Tonight only', { validitySeconds: 60 });
    expect(answer.estimate).toMatchObject({ unreachableBeforeExpiry: 2, reachableBeforeExpiry: false });
    setClock(Date.now() + 61_000);
    const done = await waitForCampaign(app(), w.account.key, id, ['COMPLETED']);
    expect(done.messages.nodes.map((m: any) => `${m.status} ${m.error?.code}`)).toEqual(['FAILED EXPIRED', 'FAILED EXPIRED']);
  });

  it("rejects a campaign message whose send window never meets the law's hours (OUTSIDE_LEGAL_HOURS)", async () => {
    setClock(OK_NOON + 14 * 24 * HOUR);
    const miami = phone('305');
    const dc = phone('202');
    const w = await world(app(), 'Late window', [miami, dc]);
    // An overnight window is allowed; 20:30 to 06:00 meets DC's 08:00-21:00 only from 20:30 to 21:00, and Florida's never.
    const { id } = await launch(app(), w, 'Night owls', { sendWindow: { start: '20:30', end: '06:00' } });
    const state = await campaignState(app(), w.account.key, id);
    expect(byTo(state).get(miami).error?.code).toBe('OUTSIDE_LEGAL_HOURS');
    expect(byTo(state).get(dc)).toMatchObject({ status: 'QUEUED', sendAfter: '2026-01-20T01:30:00.000Z' });
  });

  it('answers at 21:00 in Florida someone who wrote in within 24 hours and sends a one-off code, and holds a reply to someone who did not', async () => {
    const inbox = await setupInbox(app(), 'Late replies');
    const [recent, older] = [phone('305'), phone('305')];
    const statusOf = async (id: string) => (await app().ok('query($id: ID!) { message(id: $id) { status sendAfter } }', { id }, inbox.account.key)).message;
    const reply = async (to: string) => {
      const conversation = await conversationWith(app(), inbox, to);
      const { sendReply } = await app().ok('mutation($id: ID!, $body: String!) { sendReply(conversationId: $id, body: $body) { id } }', { id: conversation.id, body: `Re: ${to}` }, inbox.account.key);
      await queueLooked(app());
      return sendReply.id as string;
    };
    const writeIn = async (from: string) => expect((await postInbound(app(), { MessageSid: messageSid(), From: from, To: inbox.senderValue, Body: 'Is the shop open?' })).status).toBe(200);
    // 21:00 in Miami, a day after `older` wrote in and a minute after `recent` did.
    setClock(FL_BEFORE_EIGHT + 10_000 - 24 * HOUR);
    await writeIn(older);
    setClock(FL_BEFORE_EIGHT + 10_000 + HOUR - 60_000);
    await writeIn(recent);
    setClock(FL_BEFORE_EIGHT + 10_000 + HOUR);
    const answer = await reply(recent);
    await until('the answer delivered', async () => ['SENT', 'DELIVERED'].includes((await statusOf(answer)).status));
    expect(await taken(recent, `Re: ${recent}`)).toBe(1);
    // Once its sender's slot frees, the queue looks at it and moves it to 08:00.
    const held = await reply(older);
    await until('the late reply held', async () => (await statusOf(held)).sendAfter === new Date(FL_NEXT_MORNING).toISOString());
    expect((await statusOf(held)).status).toBe('QUEUED');
    expect(await taken(older, `Re: ${older}`)).toBe(0);

    // A one-off transactional send (a sign-up code) is no solicitation: the quiet hours do not hold it.
    const stranger = phone('305');
    const { sendMessage } = await app().ok('mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } error { code } } }',
      { input: { groupId: inbox.groupId, to: stranger, body: 'Your code is 4711' } }, inbox.account.key);
    expect(sendMessage.error).toBeNull();
    await until('the code delivered', async () => ['SENT', 'DELIVERED'].includes((await statusOf(sendMessage.message.id)).status));
    expect(await taken(stranger, 'Your code is 4711')).toBe(1);
  });
}, { env: { LEGAL_RULES: 'on' } });
