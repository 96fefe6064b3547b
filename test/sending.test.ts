import { describeEachDatabase } from './helpers/app';
import { campaignState, carrierMessages, closedWindow, createCampaign, queueLooked, setupWorld, usPhone, waitForCampaign } from './helpers/campaign-fixtures';
import { createAccount } from './helpers/fixtures';

function localHHMM(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

describeEachDatabase('sending', (app) => {
  const carrier = () => `${app().url}/carrier`;

  it('keeps each sender within maxPerSecond, also when two campaigns share it', async () => {
    const numbers = Array.from({ length: 6 }, () => usPhone());
    const world = await setupWorld(app(), 'Pace', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 3 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const first = await createCampaign(app(), world, 'Paced');
    const second = await createCampaign(app(), world, 'Paced too');
    // Each launch plans its own messages at the sender's rate, one every third of a second...
    for (const id of [first, second]) await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const planned = (await campaignState(app(), world.account.key, first)).messages.nodes.map((m: any) => Date.parse(m.sendAfter)).sort((a: number, b: number) => a - b);
    expect(planned.map((t: number) => t - planned[0])).toEqual([0, 333, 666, 1000, 1333, 1666]);
    // ...so together they are due at twice the rate, and only the queue's pacing holds the sender to it.
    for (const id of [first, second]) await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    const times = (await carrierMessages(carrier())).filter((m) => numbers.includes(m.to)).map((m: any) => Date.parse(m.createdAt)).sort((a, b) => a - b);
    expect(times).toHaveLength(12);
    // No second holds four: the queue spaces every fourth send 1050 ms after the first (exact
    // figures: rate-limiter.test.ts). Arrivals here add each hand-over's claim and HTTP time,
    // which on a loaded machine varies by some hundreds of ms; without pacing they come 333 ms apart.
    for (let i = 3; i < times.length; i++) expect(times[i] - times[i - 3]).toBeGreaterThanOrEqual(700);
  });

  it("holds messages outside the send window until its next opening in each recipient's local time", async () => {
    const ny = '+12125550142';
    const la = '+14155550142';
    const world = await setupWorld(app(), 'Window', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 10 }], contacts: [{ phoneNumber: ny }, { phoneNumber: la }] });
    // Closed now in New York, and so in Los Angeles, three hours behind.
    const { start, end } = closedWindow('America/New_York');
    const id = await createCampaign(app(), world, 'Windowed', { sendWindow: { start, end } });
    const launched = await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { status sendWindow { start end } } }', { id }, world.account.key);
    expect(launched.launchCampaign).toEqual({ status: 'SENDING', sendWindow: { start, end } });
    await queueLooked(app());
    const state = await campaignState(app(), world.account.key, id);
    const byTo = new Map<string, any>(state.messages.nodes.map((m: any) => [m.to, m]));
    for (const [to, zone] of [[ny, 'America/New_York'], [la, 'America/Los_Angeles']] as const) {
      const message = byTo.get(to);
      expect(message.status).toBe('QUEUED');
      const sendAfter = new Date(message.sendAfter);
      // The next opening: later today or tomorrow, at the window's start on the recipient's clock.
      expect(sendAfter.getTime()).toBeGreaterThan(Date.now());
      expect(sendAfter.getTime()).toBeLessThan(Date.now() + 24 * 3600_000);
      expect(localHHMM(sendAfter, zone)).toBe(start);
      expect(await carrierMessages(carrier(), to)).toHaveLength(0);
    }
    // Los Angeles's clock is behind New York's: the same local hour comes later.
    expect(Date.parse(byTo.get(la).sendAfter)).toBeGreaterThan(Date.parse(byTo.get(ny).sendAfter));
    await app().ok('mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id }, world.account.key);
  });

  it('lists the message log newest first with cursors, only for the key\'s own tenant', async () => {
    const numbers = Array.from({ length: 5 }, () => usPhone());
    const world = await setupWorld(app(), 'Log', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 50 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const id = await createCampaign(app(), world, 'Logged');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    const page = (after: string | null) => app().ok(
      'query($c: ID, $after: String) { messages(campaignId: $c, direction: OUTBOUND, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id to campaign { id } sender { value } contact { phoneNumber } } } }',
      { c: id, after }, world.account.key);
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 3; i++) {
      const data: any = (await page(after)).messages;
      expect(data.totalCount).toBe(5);
      seen.push(...data.nodes.map((n: any) => n.id));
      for (const node of data.nodes) expect(node).toMatchObject({ campaign: { id }, sender: { value: world.senders[0].value }, contact: { phoneNumber: node.to } });
      after = data.pageInfo.endCursor;
      expect(data.pageInfo.hasNextPage).toBe(i < 2);
    }
    expect(seen).toEqual([...seen].sort((a, b) => Number(b) - Number(a)));
    expect(new Set(seen).size).toBe(5);

    const other = await createAccount(app(), 'Nosy');
    expect((await app().ok('query($c: ID) { messages(campaignId: $c) { totalCount } }', { c: id }, other.key)).messages.totalCount).toBe(0);
    expect((await app().ok('query($id: ID!) { message(id: $id) { id } }', { id: seen[0] }, other.key)).message).toBeNull();
    const foreign = await app().gql('query($a: ID) { messages(accountId: $a) { totalCount } }', { a: world.account.id }, other.key);
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const bad = await app().gql('{ messages(after: "nonsense") { totalCount } }', {}, world.account.key);
    expect(bad.errors?.[0].message).toMatch(/^after/);
  });

  it('marks a campaign COMPLETED at once when every recipient is rejected', async () => {
    const world = await setupWorld(app(), 'AllRejected', { countries: ['US'], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [{ phoneNumber: '+4915112345678' }, { phoneNumber: '+33612345678' }] });
    const id = await createCampaign(app(), world, 'Nobody can get this');
    const launched = await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { status completedAt stats { recipients rejected rejectedByReason { code count } } } }', { id }, world.account.key);
    expect(launched.launchCampaign).toMatchObject({ status: 'COMPLETED', stats: { recipients: 2, rejected: 2, rejectedByReason: [{ code: 'GEO_PERMISSION_DENIED', count: 2 }] } });
    await queueLooked(app());
    for (const to of ['+4915112345678', '+33612345678']) expect(await carrierMessages(carrier(), to)).toEqual([]);
    expect((await campaignState(app(), world.account.key, id)).messages.nodes.map((m: any) => m.status)).toEqual(['REJECTED', 'REJECTED']);
  });
}, { env: { SIMULATOR_UNDELIVERED_SHARE: '0' } });
