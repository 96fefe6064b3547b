import { describeWithOutsideCarrier } from './helpers/carrier';
import { campaignState, createCampaign, setupWorld, until, usPhone, waitForCampaign } from './helpers/campaign-fixtures';
import { rawId } from './helpers/ids';

// The carrier outlives our restarts: a simulator of its own, as Twilio would be.
describeWithOutsideCarrier('sending across restarts', (ctx) => {

  const takenBy = (to: string) => ctx().carrier.simulator.sent().filter((m) => m.to === to).length;

  it('resumes a campaign after a restart in the middle and sends nobody twice', async () => {
    const numbers = Array.from({ length: 12 }, () => usPhone());
    const world = await setupWorld(ctx().app, 'Restart', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 4 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const id = await createCampaign(ctx().app, world, 'Hello {{phone_number}}');
    await ctx().app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    await until('a few messages handed over', async () => numbers.filter((n) => takenBy(n) > 0).length >= 3);
    await ctx().app.restart();
    const afterRestart = numbers.filter((n) => takenBy(n) > 0).length;
    expect(afterRestart).toBeLessThan(12);

    const done = await waitForCampaign(ctx().app, world.account.key, id, ['COMPLETED'], 20000);
    for (const to of numbers) expect({ to, taken: takenBy(to) }).toEqual({ to, taken: 1 });
    expect(done.stats).toMatchObject({ recipients: 12, delivered: 12, failed: 0, queued: 0, sending: 0 });
    const bodies = done.messages.nodes.map((m: any) => m.body).sort();
    expect(bodies).toEqual(numbers.map((n) => `Hello ${n}`).sort());
  });

  it('looks hand-overs cut off by a crash up at the carrier: found ones keep their sid, the rest fail, none is posted again', async () => {
    const numbers = [usPhone(), usPhone(), usPhone()];
    const world = await setupWorld(ctx().app, 'Crash', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 0.01 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const id = await createCampaign(ctx().app, world, 'Crash test');
    await ctx().app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const state = await until('the first message delivered', async () => {
      const s = await campaignState(ctx().app, world.account.key, id);
      return s.messages.nodes.some((m: any) => m.status === 'DELIVERED') ? s : null;
    });
    const delivered = state.messages.nodes.find((m: any) => m.status === 'DELIVERED');
    const waiting = state.messages.nodes.find((m: any) => m.status === 'QUEUED');
    const ds = ctx().app.server.services.dataSource;
    // What a crash between "mark SENDING" and storing the carrier's answer leaves behind: one the
    // carrier took (its sid lost with the process), one it never saw.
    await ds.query("UPDATE messages SET status = 'SENDING', provider_sid = NULL WHERE id = ?", [rawId(delivered.id)]);
    await ds.query("UPDATE messages SET status = 'SENDING' WHERE id = ?", [rawId(waiting.id)]);
    await ctx().app.restart();
    const read = (messageId: string) => ctx().app.ok('query($id: ID!) { message(id: $id) { status providerSid attempts lastProviderResponse error { code message } } }', { id: messageId }, world.account.key);
    const neverSeen = (await read(waiting.id)).message;
    expect(neverSeen).toMatchObject({ status: 'FAILED', providerSid: null, error: { code: 'PROVIDER_ERROR' } });
    expect(neverSeen.error.message).toMatch(/carrier has no record of the message: it did not leave, and is not sent again/);
    const found = (await read(delivered.id)).message;
    expect(found).toMatchObject({ status: 'DELIVERED', providerSid: delivered.providerSid, error: null });
    expect(found.lastProviderResponse).toMatch(/found at the carrier/);
    await ctx().app.ok('mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id }, world.account.key);
    expect(takenBy(waiting.to)).toBe(0);
    expect(takenBy(delivered.to)).toBe(1);
  });

  it('fires a scheduled campaign whose time came while the server was down', async () => {
    const to = usPhone();
    const world = await setupWorld(ctx().app, 'Down', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 10 }], contacts: [{ phoneNumber: to }] });
    const id = await createCampaign(ctx().app, world, 'While you were away');
    const at = Date.now() + 800;
    await ctx().app.ok('mutation($id: ID!, $at: DateTime!) { scheduleCampaign(id: $id, at: $at) { id } }', { id, at: new Date(at).toISOString() }, world.account.key);
    await ctx().app.server.close();
    // What is tested is a time that passes while nothing runs: only the clock can say it has.
    await new Promise((r) => setTimeout(r, Math.max(0, at + 50 - Date.now())));
    await ctx().app.restart();
    await waitForCampaign(ctx().app, world.account.key, id, ['COMPLETED']);
    expect(takenBy(to)).toBe(1);
  });
});
