import { createConnection, type Connection } from 'mysql2/promise';
import { bootApp, describeEachDatabase, type TestApp } from './helpers/app';
import { createCampaign, setupWorld, until, type CampaignWorld } from './helpers/campaign-fixtures';
import { databaseKinds } from './helpers/databases';

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

// On MariaDB a launch writes two chunks at once (LAUNCH_WRITERS); each still commits after the
// one before it. A row lock held from outside on a contact of the third chunk stalls that chunk's
// INSERT (its foreign key check waits): the fourth is written meanwhile but must not commit.
// SQLite has one writer, so this is MariaDB's alone.
for (const kind of databaseKinds().filter((k) => k === 'mysql')) {
  describe(`launch planning with two writers [${kind}]`, () => {
    let app: TestApp;
    let world: CampaignWorld;

    beforeAll(async () => {
      app = await bootApp(kind, { env: { LAUNCH_CHUNK_SIZE: String(CHUNK), LAUNCH_WRITERS: '2', SWITCHBOARD_WORKERS: 'off' } });
      world = await setupWorld(app, 'Writers', { countries: ['US'], senders: [{ type: 'LONG_CODE', value: '+12025550143', maxPerSecond: 100 }], contacts: contacts(0) });
    });

    afterAll(async () => {
      await app?.close();
    });

    /** The contact of the group's member at `offset` (in membership order, as the planning reads them). */
    async function memberAt(offset: number): Promise<number> {
      const [{ contact_id: contact }] = await app.server.services.dataSource.query(
        'SELECT m.contact_id FROM memberships m JOIN subscription_groups g ON g.id = m.group_id WHERE g.name = ? ORDER BY m.id LIMIT 1 OFFSET ?', ['Writers group', offset]);
      return Number(contact);
    }

    /** Holds a row lock on the contact of the third chunk's 11th member until released. */
    async function holdThirdChunk(): Promise<Connection> {
      const held = await memberAt(2 * CHUNK + 10);
      const blocker = await createConnection(app.databaseUrl);
      await blocker.query('START TRANSACTION');
      await blocker.query('SELECT id FROM contacts WHERE id = ? FOR UPDATE', [held]);
      return blocker;
    }

    /**
     * Two of the planner's transactions are open: the third chunk's, waiting for the lock, and the
     * fourth's, written; answers the waiting one's connection. INNODB_TRX is a cache MariaDB
     * refreshes only when not read for 100 ms, hence the slower polling.
     */
    function twoChunksInFlight(blocker: Connection): Promise<number> {
      return until('two chunks written at once', async () => {
        const open: Array<{ thread: string; state: string; modified: string }> = await app.server.services.dataSource.query(
          `SELECT t.trx_mysql_thread_id AS thread, t.trx_state AS state, t.trx_rows_modified AS modified
           FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
           WHERE p.DB = DATABASE() AND t.trx_mysql_thread_id <> ?`, [blocker.threadId]);
        const waiting = open.filter((t) => t.state === 'LOCK WAIT');
        const written = open.filter((t) => t.state === 'RUNNING' && Number(t.modified) > 0);
        return waiting.length === 1 && written.length === 1 && Number(waiting[0].thread);
      }, 15_000, 250);
    }

    it('writes the next chunk while one waits, and commits neither out of order', async () => {
      const blocker = await holdThirdChunk();
      try {
        const id = await createCampaign(app, world, 'Hi {{first_name}}', { name: 'ordered' });
        await app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
        await twoChunksInFlight(blocker);
        expect(await plan(app, world, id)).toMatchObject({ planningStatus: 'PLANNING', planned: 2 * CHUNK });
        expect(await storedMessages(app, 'ordered')).toHaveLength(2 * CHUNK);

        await blocker.query('ROLLBACK');
        await app.server.services.campaignPlanner.settled();
        expect(await plan(app, world, id)).toMatchObject({ planningStatus: 'DONE', planned: MEMBERS });
        const rows = await storedMessages(app, 'ordered');
        expect(rows).toHaveLength(MEMBERS);
        expect(new Set(rows.map((r) => Number(r.contact_id))).size).toBe(MEMBERS);
      } finally {
        await blocker.end();
      }
    }, 60_000);

    it('breaks a wait the database cannot see: the next chunk lets its locks go and is written again', async () => {
      // The blocker holds a contact of the third chunk and then asks for one the fourth chunk holds
      // (its foreign key check). The fourth waits for the third in our code, the third for the
      // blocker in the database: a cycle MariaDB's deadlock detector cannot see.
      const blocker = await holdThirdChunk();
      try {
        await blocker.query('SET SESSION innodb_lock_wait_timeout = 40');
        const id = await createCampaign(app, world, 'Hi {{first_name}}', { name: 'cycle' });
        await app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
        await twoChunksInFlight(blocker);
        const started = Date.now();
        await blocker.query('SELECT id FROM contacts WHERE id = ? FOR UPDATE', [await memberAt(3 * CHUNK + 10)]);
        // Granted once the fourth chunk gave up waiting (5 s), not at the lock wait timeout.
        expect(Date.now() - started).toBeLessThan(20_000);
        expect(await storedMessages(app, 'cycle')).toHaveLength(2 * CHUNK);

        await blocker.query('ROLLBACK');
        await app.server.services.campaignPlanner.settled();
        expect(await plan(app, world, id)).toMatchObject({ planningStatus: 'DONE', planned: MEMBERS });
        const rows = await storedMessages(app, 'cycle');
        expect(rows).toHaveLength(MEMBERS);
        expect(new Set(rows.map((r) => Number(r.contact_id))).size).toBe(MEMBERS);
      } finally {
        await blocker.end();
      }
    }, 60_000);

    it('stops cleanly with two chunks in flight: both commit, the lease is handed back, and the next instance goes on', async () => {
      const blocker = await holdThirdChunk();
      try {
        const id = await createCampaign(app, world, 'Hi {{first_name}}', { name: 'stopped' });
        await app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
        await twoChunksInFlight(blocker);
        const planner = app.server.services.campaignPlanner;
        const restarted = app.restart();
        await until('the stop to reach the planner', async () => planner.isStopping, 15_000, 10);
        await blocker.query('ROLLBACK');
        await restarted;
        const [row] = await app.server.services.dataSource.query(
          "SELECT p.status, p.planned, p.lease_owner FROM campaign_plans p JOIN campaigns c ON c.id = p.campaign_id WHERE c.name = 'stopped'");
        expect(row).toMatchObject({ status: 'PLANNING', lease_owner: null });
        // The chunks in flight at the stop made it, with the cursor.
        expect(Number(row.planned)).toBeGreaterThanOrEqual(4 * CHUNK);
        expect(await storedMessages(app, 'stopped')).toHaveLength(Number(row.planned));

        // The lease was handed back: the new instance takes the planning up at once, not after the lease.
        expect(await app.server.services.campaignPlanner.resumeAbandoned()).toBe(1);
        await app.server.services.campaignPlanner.settled();
        expect(await plan(app, world, id)).toMatchObject({ planningStatus: 'DONE', planned: MEMBERS });
        const rows = await storedMessages(app, 'stopped');
        expect(new Set(rows.map((r) => Number(r.contact_id))).size).toBe(MEMBERS);
        expect(rows).toHaveLength(MEMBERS);
      } finally {
        await blocker.end();
      }
    }, 60_000);

    it('rolls the next chunk back when the one before it fails, and the planning resumes from the cursor', async () => {
      const blocker = await holdThirdChunk();
      try {
        const id = await createCampaign(app, world, 'Hi {{first_name}}', { name: 'broken' });
        await app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
        const stalled = await twoChunksInFlight(blocker);
        // The third chunk's INSERT fails (as on a lost connection): the fourth, written, must not commit.
        await blocker.query(`KILL QUERY ${stalled}`);
        await app.server.services.campaignPlanner.settled();
        expect(await plan(app, world, id)).toMatchObject({ planningStatus: 'PLANNING', planned: 2 * CHUNK });
        expect(await storedMessages(app, 'broken')).toHaveLength(2 * CHUNK);

        await blocker.query('ROLLBACK');
        // Once the lease has run out (as the campaign worker would find it), the planning goes on where the cursor stands.
        expect(await app.server.services.campaignPlanner.resumeAbandoned(new Date(Date.now() + 60_000))).toBe(1);
        await app.server.services.campaignPlanner.settled();
        expect(await plan(app, world, id)).toMatchObject({ planningStatus: 'DONE', planned: MEMBERS });
        const rows = await storedMessages(app, 'broken');
        expect(rows).toHaveLength(MEMBERS);
        expect(new Set(rows.map((r) => Number(r.contact_id))).size).toBe(MEMBERS);
      } finally {
        await blocker.end();
      }
    }, 60_000);
  });
}
