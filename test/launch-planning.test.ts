import { describeEachDatabase, type TestApp } from './helpers/app';
import { createCampaign, setupWorld, until, type CampaignWorld } from './helpers/campaign-fixtures';

// launchCampaign answers after a first chunk and plans the rest in the background. Small chunks
// (LAUNCH_CHUNK_SIZE) make a few thousand members many chunks; workers are off, so nothing is
// sent and every message stays as planned.
const CHUNK = 40;
const MEMBERS = 1500;

/** MEMBERS contacts: two in three in the US (allowed), one in three in Spain (not enabled: refused at launch). */
function contacts(from: number): Array<{ phoneNumber: string; firstName: string }> {
  return Array.from({ length: MEMBERS }, (_, i) => {
    const n = from + i;
    return n % 3 === 2
      ? { phoneNumber: `+34612${String(n).padStart(6, '0')}`, firstName: `Es${n}` }
      : { phoneNumber: `+1303555${String(n).padStart(4, '0')}`, firstName: `Us${n}` };
  });
}

const PLAN = 'planningStatus planned audience status';

async function plan(app: TestApp, world: CampaignWorld, id: string): Promise<any> {
  const data = await app.ok('query($id: ID!) { campaign(id: $id) { planningStatus planned audience status stats { recipients queued rejected planningStatus planned audience rejectedByReason { code count } } } }', { id }, world.account.key);
  return data.campaign;
}

async function storedMessages(app: TestApp, name: string): Promise<Array<{ contact_id: number; status: string; error_code: string | null }>> {
  return app.server.services.dataSource.query(
    'SELECT m.contact_id, m.status, m.error_code FROM messages m JOIN campaigns c ON c.id = m.campaign_id WHERE c.name = ?', [name]);
}

describeEachDatabase('launch planning in the background', (app) => {
  let world: CampaignWorld;

  beforeAll(async () => {
    world = await setupWorld(app(), 'Planning', {
      countries: ['US'],
      senders: [{ type: 'LONG_CODE', value: '+12025550142', maxPerSecond: 100 }],
      contacts: contacts(0),
    });
  });

  it('answers while planning goes on, then plans every recipient once and counts the rejections as before', async () => {
    const id = await createCampaign(app(), world, 'Hi {{first_name}}', { name: 'whole' });
    const launched = await app().ok(`mutation($id: ID!) { launchCampaign(id: $id) { ${PLAN} } }`, { id }, world.account.key);
    expect(launched.launchCampaign).toMatchObject({ planningStatus: 'PLANNING', audience: MEMBERS, status: 'SENDING' });
    expect(launched.launchCampaign.planned).toBeLessThan(MEMBERS);

    const done = await until('the planning to end', async () => {
      const state = await plan(app(), world, id);
      return state.planningStatus === 'DONE' && state;
    }, 60_000);
    const spanish = Math.floor(MEMBERS / 3);
    expect(done).toMatchObject({ planned: MEMBERS, audience: MEMBERS, status: 'SENDING' });
    expect(done.stats).toMatchObject({
      recipients: MEMBERS, queued: MEMBERS - spanish, rejected: spanish, planningStatus: 'DONE', planned: MEMBERS, audience: MEMBERS,
      rejectedByReason: [{ code: 'GEO_PERMISSION_DENIED', count: spanish }],
    });
    const rows = await storedMessages(app(), 'whole');
    expect(rows).toHaveLength(MEMBERS);
    expect(new Set(rows.map((r) => Number(r.contact_id))).size).toBe(MEMBERS);
  });

  it('stops planning at a cancel: nothing is stored after it, and what was queued fails', async () => {
    const id = await createCampaign(app(), world, 'Cancel me', { name: 'cancelled' });
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const cancelled = await app().ok(`mutation($id: ID!) { cancelCampaign(id: $id) { ${PLAN} } }`, { id }, world.account.key);
    expect(cancelled.cancelCampaign).toMatchObject({ status: 'CANCELLED', planningStatus: 'CANCELLED' });
    // Whatever chunk was being written when the cancel came either made it before the cancel or not at all.
    await app().server.services.campaignPlanner.settled();
    await app().server.services.campaigns.drain();
    const after = await plan(app(), world, id);
    expect(after.planningStatus).toBe('CANCELLED');
    expect(after.planned).toBeLessThan(MEMBERS);
    const rows = await storedMessages(app(), 'cancelled');
    expect(rows).toHaveLength(after.planned);
    const failedOrRejected = (r: { status: string; error_code: string | null }) =>
      (r.status === 'FAILED' && r.error_code === 'CAMPAIGN_CANCELLED') || (r.status === 'REJECTED' && r.error_code === 'GEO_PERMISSION_DENIED');
    expect(rows.filter((r) => !failedOrRejected(r))).toEqual([]);
  });

  it('plans two launches of one group at once, each recipient once per campaign', async () => {
    const ids = [await createCampaign(app(), world, 'First', { name: 'twin-a' }), await createCampaign(app(), world, 'Second', { name: 'twin-b' })];
    await Promise.all(ids.map((id) => app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key)));
    await app().server.services.campaignPlanner.settled();
    for (const [i, id] of ids.entries()) {
      expect(await plan(app(), world, id)).toMatchObject({ planningStatus: 'DONE', planned: MEMBERS });
      const rows = await storedMessages(app(), i ? 'twin-b' : 'twin-a');
      expect(new Set(rows.map((r) => Number(r.contact_id))).size).toBe(rows.length);
      expect(rows).toHaveLength(MEMBERS);
    }
  });
}, { env: { LAUNCH_CHUNK_SIZE: String(CHUNK), SWITCHBOARD_WORKERS: 'off' } });
