import type { ChildProcess } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/core/database';
import { ADMIN_TOKEN } from './helpers/app';
import { requireBuiltServer, spawnServer, stopProcess, waitForHealth } from './helpers/child-server';
import { databaseKinds, freshDatabase, type FreshDatabase } from './helpers/databases';
import { freePort } from './helpers/net';

// kill -9 in the middle of a launch's planning, then two instances over the same database: one
// of them takes the planning up where the cursor stands, and every recipient has exactly one message.
const MEMBERS = 3000;

interface Instance {
  child: ChildProcess;
  url: string;
}

async function startInstance(database: FreshDatabase, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnServer({
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: database.url, ADMIN_TOKEN, PUBLIC_URL: url, LOG_LEVEL: 'error',
    // US numbers: the law's hours would hold them at night (the planning is what this test watches).
    LEGAL_RULES: 'off', CARRIER_SIMULATOR: 'on', SIMULATOR_CALLBACK_DELAY_MS: '20', LAUNCH_CHUNK_SIZE: '50', LAUNCH_PLANNING_LEASE_MS: '3000', ...env,
  });
  await waitForHealth(url);
  return { child, url };
}

function kill(instance: Instance | undefined): Promise<void> {
  return stopProcess(instance?.child);
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token = ADMIN_TOKEN): Promise<any> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function planRow(ds: DataSource): Promise<{ status: string; planned: number; after: number; last: number; owner: string | null }> {
  const [row] = await ds.query(
    "SELECT p.status, p.planned, p.after_membership AS after_m, p.last_membership AS last_m, p.lease_owner FROM campaign_plans p JOIN campaigns c ON c.id = p.campaign_id WHERE c.name = 'Crash'");
  return row && { status: row.status, planned: Number(row.planned), after: Number(row.after_m), last: Number(row.last_m), owner: row.lease_owner };
}

for (const kind of databaseKinds()) {
  describe(`kill -9 mid-planning [${kind}]`, () => {
    let database: FreshDatabase;
    let ds: DataSource;
    const instances: Instance[] = [];

    beforeAll(async () => {
      requireBuiltServer();
      database = await freshDatabase(kind);
    });

    afterAll(async () => {
      for (const instance of instances) await kill(instance);
      if (ds?.isInitialized) await ds.destroy();
      await database?.drop();
    });

    it('resumes the planning on one of two instances, and no recipient is lost or doubled', async () => {
      // Workers off: only the launch's own planning runs, and nothing else resumes it.
      const first = await startInstance(database, { SWITCHBOARD_WORKERS: 'off' });
      instances.push(first);
      const { createAccount } = await gql(first.url, 'mutation { createAccount(input: {name: "Crash", homeCountry: "US"}) { account { id } apiKey { secret } } }');
      const key = createAccount.apiKey.secret;
      const { createSubscriptionGroup } = await gql(first.url, 'mutation { createSubscriptionGroup(input: {name: "Crash"}) { id } }', {}, key);
      const group = createSubscriptionGroup.id;
      // One message a second: the send queue barely works meanwhile, and the test watches the planning alone.
      await gql(first.url, 'mutation($g: ID!) { addSender(groupId: $g, input: {type: LONG_CODE, value: "+12025550111", maxPerSecond: 1}) { id } }', { g: group }, key);
      const numbers = Array.from({ length: MEMBERS }, (_, i) => `+1303555${String(i).padStart(4, '0')}`);
      await gql(first.url, 'mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { created } }', { g: group, c: numbers.map((phoneNumber) => ({ phoneNumber })) }, key);
      const { createCampaign } = await gql(first.url, 'mutation($g: ID!) { createCampaign(input: {groupId: $g, name: "Crash", body: "Flash sale"}) { id } }', { g: group }, key);

      ds = createDataSource(kind === 'sqlite' ? { type: 'sqlite', path: database.url.slice('sqlite:'.length) } : { type: 'mysql', url: database.url }, [], []);
      await ds.initialize();
      const launched = await gql(first.url, 'mutation($id: ID!) { launchCampaign(id: $id) { planningStatus audience } }', { id: createCampaign.id }, key);
      expect(launched.launchCampaign).toEqual({ planningStatus: 'PLANNING', audience: MEMBERS });
      while ((await planRow(ds)).planned < 300) await new Promise((r) => setTimeout(r, 5));
      await kill(first);
      const cut = await planRow(ds);
      // The kill came mid-planning: otherwise this test proves nothing.
      expect(cut.status).toBe('PLANNING');
      expect(cut.planned).toBeLessThan(MEMBERS);
      const [{ n: storedAtKill }] = await ds.query("SELECT COUNT(*) AS n FROM messages WHERE campaign_id = (SELECT id FROM campaigns WHERE name = 'Crash')");
      // The cursor and the rows moved together.
      expect(Number(storedAtKill)).toBe(cut.planned);

      // Two instances come up over the same database; the lease of the killed one runs out and one of them goes on.
      instances.push(await startInstance(database, {}), await startInstance(database, {}));
      const owners = new Set<string>([cut.owner!]);
      for (;;) {
        const row = await planRow(ds);
        if (row.owner) owners.add(row.owner);
        if (row.status === 'DONE') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const done = await planRow(ds);
      const rows: Array<{ contact_id: number; to_address: string }> = await ds.query(
        "SELECT contact_id, to_address FROM messages WHERE campaign_id = (SELECT id FROM campaigns WHERE name = 'Crash')");
      expect(done).toMatchObject({ status: 'DONE', planned: MEMBERS });
      expect(rows).toHaveLength(MEMBERS);
      expect(new Set(rows.map((r) => Number(r.contact_id))).size).toBe(MEMBERS);
      expect(new Set(rows.map((r) => r.to_address))).toEqual(new Set(numbers));
      // Taken from the killed instance by one of the two, which kept it to the end.
      expect(owners.size).toBe(2);
      const { campaign } = await gql(instances[1].url, 'query($id: ID!) { campaign(id: $id) { planningStatus planned audience stats { recipients planned } } }', { id: createCampaign.id }, key);
      expect(campaign).toEqual({ planningStatus: 'DONE', planned: MEMBERS, audience: MEMBERS, stats: { recipients: MEMBERS, planned: MEMBERS } });
    }, 180_000);
  });
}
