import { describeEachDatabase } from './helpers/app';
import { carrierMessages, createCampaign, setupWorld, until, usPhone, waitForCampaign } from './helpers/campaign-fixtures';

describeEachDatabase('provider sids through a storage outage', (app) => {
  it('keeps the sids it could not store and writes them later; the callbacks that came meanwhile are applied then', async () => {
    const numbers = Array.from({ length: 6 }, () => usPhone());
    const world = await setupWorld(app(), 'Outage', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 100 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const ds = app().server.services.dataSource;
    const mysql = ds.options.type === 'mysql';
    // The database refuses every sid while the trigger stands: what an outage does to the writes of the send queue.
    await ds.query(mysql
      ? `CREATE TRIGGER refuse_sids BEFORE UPDATE ON messages FOR EACH ROW BEGIN IF NEW.provider_sid IS NOT NULL AND OLD.provider_sid IS NULL THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated outage'; END IF; END`
      : `CREATE TRIGGER refuse_sids BEFORE UPDATE OF provider_sid ON messages WHEN NEW.provider_sid IS NOT NULL AND OLD.provider_sid IS NULL BEGIN SELECT RAISE(ABORT, 'simulated outage'); END`);
    const id = await createCampaign(app(), world, 'Through the outage');
    try {
      await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
      const carrier = `${app().url}/carrier`;
      // The carrier took every message and has called back for each (sent, then delivered).
      await until('every message taken and called back', async () => {
        const taken = await Promise.all(numbers.map((to) => carrierMessages(carrier, to)));
        return taken.every((m) => m.length === 1 && m[0].status === 'delivered');
      });
      const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM early_status_callbacks');
      expect(Number(n)).toBeGreaterThanOrEqual(numbers.length);
    } finally {
      await ds.query('DROP TRIGGER refuse_sids');
    }
    const done = await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    for (const to of numbers) {
      const message = done.messages.nodes.find((m: any) => m.to === to);
      const taken = await carrierMessages(`${app().url}/carrier`, to);
      expect({ to, status: message.status, sid: message.providerSid }).toEqual({ to, status: 'DELIVERED', sid: taken[0].sid });
    }
    const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM early_status_callbacks');
    expect(Number(n)).toBe(0);
  });
}, { env: { SIMULATOR_UNDELIVERED_SHARE: '0' } });
