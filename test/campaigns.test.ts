import { describeEachDatabase } from './helpers/app';
import { campaignState, carrierMessages, createCampaign, setupWorld, STATS, until, usPhone, waitForCampaign } from './helpers/campaign-fixtures';
import { createAccount } from './helpers/fixtures';
import { subscribe, subscribed, wsClient } from './helpers/ws-client';

describeEachDatabase('campaigns', (app) => {
  const carrier = () => `${app().url}/carrier`;

  it('reaches every subscribed member of a multi-country group from a sender of its country, and tracks delivery live', async () => {
    const us1 = usPhone();
    const us2 = usPhone();
    const world = await setupWorld(app(), 'Multi', {
      countries: ['US', 'CA', 'DE', 'FR'],
      senders: [
        { type: 'LONG_CODE', value: usPhone(), maxPerSecond: 50 },
        { type: 'ALPHANUMERIC', value: 'Shop', country: 'DE', maxPerSecond: 50 },
        { type: 'LONG_CODE', value: '+33612340000', maxPerSecond: 50 },
      ],
      contacts: [
        { phoneNumber: us1, firstName: 'Ada', attributes: { city: 'Boston' } },
        { phoneNumber: us2, firstName: 'Bob' },
        { phoneNumber: '+4915112345678', firstName: 'Łukasz', attributes: { city: 'Köln' } },
        { phoneNumber: '+33612345678', firstName: 'Zoé' },
        { phoneNumber: '+14165550123', firstName: 'Cam' },
        { phoneNumber: '+34612345678', firstName: 'Eva' },
      ],
    });
    const [usSender, deSender, frSender] = world.senders;
    const id = await createCampaign(app(), world, 'Hi {{first_name}}{{attributes.city}}! {{ last_name }}Sale today.');

    const client = wsClient(app().url, world.account.key);
    const [live, progress] = await subscribed(app().url, () => [
      subscribe(client, `subscription($c: ID) { deliveryEvents(campaignId: $c) { status previousStatus occurredAt error { code }
        message { id status to from providerSid campaign { id } } } }`, { c: id }),
      subscribe(client, `subscription($c: ID!) { campaignProgress(campaignId: $c) { ${STATS} } }`, { c: id }),
    ]);

    const launched = await app().ok(`mutation($id: ID!) { launchCampaign(id: $id) { id status launchedAt } }`, { id }, world.account.key);
    expect(['SENDING', 'COMPLETED']).toContain(launched.launchCampaign.status);
    expect(launched.launchCampaign.launchedAt).not.toBeNull();

    // COMPLETED means every message left (SENT at least); the statuses below come with the
    // carrier's delivery callbacks, published once stored: the 4th message's final event is the last.
    await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    const final = (e: any) => ['DELIVERED', 'UNDELIVERED', 'FAILED'].includes(e.deliveryEvents.status);
    await until('a final status event for each of the 4 sent messages', async () => live.events.filter(final).length >= 4, 20000);
    const events = live.events;
    const done = await campaignState(app(), world.account.key, id);
    // Four are sent; CA has no sender (fallback off) and ES is not enabled.
    const byTo = new Map<string, any>(done.messages.nodes.map((m: any) => [m.to, m]));
    expect(done.messages.totalCount).toBe(6);
    expect(byTo.get(us1)).toMatchObject({ from: usSender.value, body: 'Hi AdaBoston! Sale today.', encoding: 'GSM7', segments: 1, sender: { id: usSender.id } });
    expect(byTo.get('+4915112345678')).toMatchObject({ from: 'Shop', body: 'Hi ŁukaszKöln! Sale today.', encoding: 'UCS2', sender: { id: deSender.id } });
    expect(byTo.get('+33612345678')).toMatchObject({ from: frSender.value, body: 'Hi Zoé! Sale today.' });
    expect(byTo.get('+14165550123')).toMatchObject({ status: 'REJECTED', error: { code: 'NO_ELIGIBLE_SENDER' }, sender: null, providerSid: null });
    expect(byTo.get('+34612345678')).toMatchObject({ status: 'REJECTED', error: { code: 'GEO_PERMISSION_DENIED', providerCode: 21408 } });
    for (const to of [us1, us2, '+4915112345678', '+33612345678']) {
      expect(byTo.get(to).providerSid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(['DELIVERED', 'UNDELIVERED', 'FAILED']).toContain(byTo.get(to).status);
      // The carrier took exactly one message for each recipient.
      expect(await carrierMessages(carrier(), to)).toHaveLength(1);
    }
    expect(await carrierMessages(carrier(), '+34612345678')).toHaveLength(0);

    const stats = done.stats;
    expect(stats.recipients).toBe(6);
    expect(stats.rejected).toBe(2);
    expect(stats.delivered + stats.undelivered + stats.failed).toBe(4);
    expect(stats.queued + stats.sending + stats.sent).toBe(0);
    expect(stats.rejectedByReason).toEqual(expect.arrayContaining([{ code: 'NO_ELIGIBLE_SENDER', count: 1 }, { code: 'GEO_PERMISSION_DENIED', count: 1 }]));
    expect(stats.byCountry.find((c: any) => c.country === 'US')).toMatchObject({ recipients: 2, rejected: 0 });
    expect(stats.byCountry.find((c: any) => c.country === 'ES')).toMatchObject({ recipients: 1, rejected: 1 });

    // Each sent message moved QUEUED -> SENDING -> SENT -> final, one event per change.
    for (const message of done.messages.nodes.filter((m: any) => m.status !== 'REJECTED')) {
      const mine = events.filter((e: any) => e.deliveryEvents.message.id === message.id).map((e: any) => `${e.deliveryEvents.previousStatus}>${e.deliveryEvents.status}`);
      expect(mine).toEqual(['QUEUED>SENDING', 'SENDING>SENT', `SENT>${message.status}`]);
    }
    expect(events.every((e: any) => e.deliveryEvents.message.campaign.id === id)).toBe(true);
    const last = await progress.waitFor(1, 5000);
    expect(last[last.length - 1].campaignProgress.recipients).toBe(6);
    await live.close();
    await progress.close();
    await client.dispose();
  });

  it('counts a campaign for campaignProgress only while someone of its tenant (or the operator) listens', async () => {
    const counts = async () => {
      const text = await (await fetch(`${app().url}/metrics`)).text();
      const of = (outcome: string) => Number(new RegExp(`^switchboard_campaign_progress_counts_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      return { counted: of('counted'), unwatched: of('unwatched') };
    };
    const world = await setupWorld(app(), 'Watched', {
      countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 50 }], contacts: [{ phoneNumber: usPhone() }, { phoneNumber: usPhone() }],
    });
    const delivered = async (id: string) => {
      const { stats } = await campaignState(app(), world.account.key, id);
      return stats.delivered + stats.undelivered + stats.failed === 2;
    };
    const launch = (id: string) => app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);

    // No one listens: the campaign is planned, sent and delivered without one count of its stats.
    const before = await counts();
    const quiet = await createCampaign(app(), world, 'Nobody watches {{phone_number}}');
    await launch(quiet);
    await until('the unwatched campaign delivered', () => delivered(quiet));
    // Its last change is passed over a quarter of a second later.
    await new Promise((r) => setTimeout(r, 1000));
    const afterQuiet = await counts();
    expect(afterQuiet.unwatched).toBeGreaterThan(before.unwatched);
    expect(afterQuiet.counted).toBe(before.counted);

    // Someone of the tenant listens: counted and published.
    const watched = await createCampaign(app(), world, 'Someone watches {{phone_number}}');
    const client = wsClient(app().url, world.account.key);
    const [progress] = await subscribed(app().url, () => [subscribe(client, `subscription($c: ID!) { campaignProgress(campaignId: $c) { ${STATS} } }`, { c: watched })]);
    await launch(watched);
    await until('the watched campaign delivered, as its progress says', async () => {
      const last = progress.events[progress.events.length - 1]?.campaignProgress;
      return last && last.delivered + last.undelivered + last.failed === 2;
    });
    expect((await counts()).counted).toBeGreaterThan(afterQuiet.counted);
    await progress.close();
    await client.dispose();
  });

  it('refuses bad campaign input with the field named', async () => {
    const world = await setupWorld(app(), 'Bad', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [] });
    const create = (body: string, extra: Record<string, unknown> = {}) => app().gql(
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      { input: { groupId: world.groupId, name: 'x', body, ...extra } }, world.account.key);
    for (const [body, extra, field] of [
      ['', {}, 'body'],
      ['x'.repeat(1601), {}, 'body'],
      ['Hi {{nickname}}', {}, 'body'],
      ['Hi', { sendWindow: { start: '9:00', end: '21:00' } }, 'sendWindow.start'],
      ['Hi', { sendWindow: { start: '09:00', end: '09:00' } }, 'sendWindow.end'],
    ] as const) {
      const res = await create(body, extra);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].message.startsWith(field)).toBe(true);
    }
    expect((await create('x'.repeat(1600))).errors).toBeUndefined();

    const other = await createAccount(app(), 'Other');
    const foreign = await app().gql('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      { input: { groupId: world.groupId, name: 'x', body: 'Hi' } }, other.key);
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    const id = await createCampaign(app(), world, 'Hello {{phone_number}}');
    const past = await app().gql('mutation($id: ID!, $at: DateTime!) { scheduleCampaign(id: $id, at: $at) { id } }', { id, at: new Date(Date.now() - 60000).toISOString() }, world.account.key);
    expect(past.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(past.errors?.[0].message.startsWith('at')).toBe(true);

    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const again = await app().gql('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    expect(again.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0].message).toMatch(/^id: .*already launched/);

    const cancelled = await createCampaign(app(), world, 'Bye');
    await app().ok('mutation($id: ID!) { cancelCampaign(id: $id) { status } }', { id: cancelled }, world.account.key);
    const relaunch = await app().gql('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: cancelled }, world.account.key);
    expect(relaunch.errors?.[0].message).toMatch(/^id: .*cancelled/);

    // Another tenant sees nothing and may do nothing.
    expect((await app().ok('query($id: ID!) { campaign(id: $id) { id } }', { id }, other.key)).campaign).toBeNull();
    const stolen = await app().gql('mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id }, other.key);
    expect(stolen.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await app().ok('{ campaigns { totalCount } }', {}, other.key)).campaigns.totalCount).toBe(0);
  });

  it('fires a scheduled campaign at its time', async () => {
    const to = usPhone();
    const world = await setupWorld(app(), 'Sched', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 10 }], contacts: [{ phoneNumber: to }] });
    const id = await createCampaign(app(), world, 'Scheduled hello');
    const at = new Date(Date.now() + 1500);
    const scheduled = await app().ok('mutation($id: ID!, $at: DateTime!) { scheduleCampaign(id: $id, at: $at) { status scheduledAt } }', { id, at: at.toISOString() }, world.account.key);
    expect(scheduled.scheduleCampaign).toEqual({ status: 'SCHEDULED', scheduledAt: at.toISOString() });
    expect((await campaignState(app(), world.account.key, id)).messages.totalCount).toBe(0);
    const done = await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    expect(new Date(done.launchedAt).getTime()).toBeGreaterThanOrEqual(at.getTime());
    expect(await carrierMessages(carrier(), to)).toHaveLength(1);
  });

  it('cancels a sending campaign: queued messages fail with CAMPAIGN_CANCELLED and are never sent', async () => {
    const numbers = Array.from({ length: 6 }, () => usPhone());
    // One message every 2 s: the cancel below comes well within the 4 s before a third would leave.
    const world = await setupWorld(app(), 'Cancel', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 0.5 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const carried = async (body: string) => (await carrierMessages(carrier())).filter((m) => numbers.includes(m.to) && m.body === body).length;
    const id = await createCampaign(app(), world, 'Slow one');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    await until('the first message handed over', async () => (await carried('Slow one')) >= 1);
    const cancelled = await app().ok('mutation($id: ID!) { cancelCampaign(id: $id) { status } }', { id }, world.account.key);
    expect(cancelled.cancelCampaign.status).toBe('CANCELLED');
    // The queue takes a sender's messages in send_after order: once a campaign launched after the
    // cancel reaches the carrier from the same sender, the cancelled ones had their turn before it.
    const marker = await createCampaign(app(), world, 'Marker');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: marker }, world.account.key);
    await until('the later campaign handed over', async () => (await carried('Marker')) >= 1);
    const state = await campaignState(app(), world.account.key, id);
    const cancelledMessages = state.messages.nodes.filter((m: any) => m.error?.code === 'CAMPAIGN_CANCELLED');
    expect(cancelledMessages.length).toBeGreaterThanOrEqual(4);
    expect(cancelledMessages.every((m: any) => m.status === 'FAILED' && m.providerSid === null)).toBe(true);
    const handedOver = state.messages.nodes.filter((m: any) => m.providerSid !== null);
    expect(handedOver.length + cancelledMessages.length).toBe(6);
    expect(await carried('Slow one')).toBe(handedOver.length);
    expect(state.status).toBe('CANCELLED');
    await app().ok('mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id: marker }, world.account.key);
  });
}, { env: { SIMULATOR_UNDELIVERED_SHARE: '0' } });
