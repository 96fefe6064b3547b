import { decode } from '../src/core/ids';
import { MessageStatus } from '../src/messaging/message.entity';
import { MessageRepository } from '../src/messaging/message.repository';
import { SendQueueRepository } from '../src/messaging/send-queue.repository';
import { SidRecorder } from '../src/messaging/sid-recorder';
import { describeEachDatabase } from './helpers/app';
import { createCampaign, setupWorld, until, usPhone, waitForCampaign } from './helpers/campaign-fixtures';
import { queriesDuring } from './helpers/query-count';

// SendQueueRepository.storeSids answers the messages whose sid this write stored: a message
// whose sid something else stored first (another instance's reconciler) is left out, so that
// its SENDING is announced once. The answer is read back only when the UPDATE changed fewer
// rows than it was given (the hand-over benchmark's sids were stored in one statement a batch
// instead of two); these cases hold it to both.
describeEachDatabase('storing provider sids', (app) => {
  it.each([
    { case: 'every message still without its sid', storedFirst: [] as number[], heldElsewhere: [] as number[], answered: [0, 1, 2], statements: 1 },
    { case: 'one stored first by someone else', storedFirst: [1], heldElsewhere: [], answered: [0, 2], statements: 2 },
    { case: 'all stored first by someone else', storedFirst: [0, 1, 2], heldElsewhere: [], answered: [], statements: 2 },
    { case: 'one sid already held by another message', storedFirst: [], heldElsewhere: [2], answered: [0, 1], statements: 4 },
  ])('answers what this write stored: $case', async ({ storedFirst, heldElsewhere, answered, statements }) => {
    const world = await setupWorld(app(), 'Sids', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 100 }], contacts: Array.from({ length: 4 }, () => ({ phoneNumber: usPhone() })) });
    const id = await createCampaign(app(), world, 'Sids');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    const ds = app().server.services.dataSource;
    const rows: Array<{ id: number; provider_sid: string }> = await ds.query('SELECT id, provider_sid FROM messages WHERE campaign_id = ? ORDER BY id', [decode('cmp', id)]);
    const [a, b, c, bystander] = rows.map((r) => Number(r.id));
    const ids = [a, b, c];
    // Three hand-overs the carrier took and whose sids are not stored yet.
    await ds.query(`UPDATE messages SET provider_sid = NULL, status = ? WHERE id IN (?, ?, ?)`, [MessageStatus.SENDING, ...ids]);
    const queue = new SendQueueRepository(ds);
    const sid = (i: number) => `SM${'0'.repeat(24)}${String(ids[i]).padStart(8, '0')}`;
    const firstSid = (i: number) => `SMfirst${ids[i]}`;
    for (const i of storedFirst) await ds.query('UPDATE messages SET provider_sid = ? WHERE id = ?', [firstSid(i), ids[i]]);
    const heldSid = rows[3].provider_sid;
    const batch = ids.map((messageId, i) => ({ id: messageId, sid: heldElsewhere.includes(i) ? heldSid : sid(i), attempts: 1, response: `HTTP 201: ${sid(i)} queued` }));

    const { result: stored, sql } = await queriesDuring(ds, () => queue.storeSids(batch, new Date()));

    expect([...stored].sort((x, y) => x - y)).toEqual(answered.map((i) => ids[i]));
    // One UPDATE for the batch, read back only when it changed fewer rows; one at a time after a duplicate sid.
    expect(sql.filter((q) => q.includes('send_claim'))).toHaveLength(statements);
    const after: Array<{ id: number; provider_sid: string | null }> = await ds.query('SELECT id, provider_sid FROM messages WHERE id IN (?, ?, ?, ?) ORDER BY id', [...ids, bystander]);
    const sidOf = new Map(after.map((r) => [Number(r.id), r.provider_sid]));
    for (const [i, messageId] of ids.entries()) {
      const expected = storedFirst.includes(i) ? firstSid(i) : heldElsewhere.includes(i) ? null : sid(i);
      expect({ i, sid: sidOf.get(messageId) }).toEqual({ i, sid: expected });
    }
    expect(sidOf.get(bystander)).toBe(heldSid);
  });

  // A hand-over keeps its slot until its sid is stored once many are waiting: a sid recorded as
  // the write before it ended (its flush had looked at the list for the last time, and not yet
  // said it was done) waited for the next sid to come, and with every slot waiting, none came.
  it('stores a sid recorded just as the write before it ends', async () => {
    const world = await setupWorld(app(), 'Late sid', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 100 }], contacts: Array.from({ length: 2 }, () => ({ phoneNumber: usPhone() })) });
    const id = await createCampaign(app(), world, 'Late sid');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    const { dataSource: ds, statuses, deliveryEvents, log } = app().server.services;
    const ids = (await ds.query('SELECT id FROM messages WHERE campaign_id = ? ORDER BY id', [decode('cmp', id)])).map((r: { id: number }) => Number(r.id));
    await ds.query(`UPDATE messages SET provider_sid = NULL, status = ? WHERE id IN (?, ?)`, [MessageStatus.SENDING, ...ids]);
    const messages = (await new MessageRepository(ds).byIds(ids)).sort((x, y) => x.id - y.id);
    const recorder = new SidRecorder(new SendQueueRepository(ds), statuses, deliveryEvents, log, async () => undefined);
    const accepted = (i: number) => ({ message: messages[i], sid: `SMlate${ids[i]}`, attempts: 1, response: 'HTTP 201' });

    const second = recorder.record(accepted(0)).then(() => recorder.record(accepted(1)));
    const outcome = await Promise.race([second.then(() => 'stored'), new Promise((r) => setTimeout(() => r('still waiting'), 3000))]);

    expect(outcome).toBe('stored');
    const rows: Array<{ provider_sid: string }> = await ds.query('SELECT provider_sid FROM messages WHERE id IN (?, ?) ORDER BY id', ids);
    expect(rows.map((r) => r.provider_sid)).toEqual(ids.map((i: number) => `SMlate${i}`));
  });

  // After each write the callbacks that came before its sids are looked for. Under a burst a
  // write ends every few milliseconds, and a look-up after each was a fifth of the send queue's
  // reads: the sids stored close together are looked up together, each once, soon after, and
  // at once when the recorder is drained.
  it('looks up the sids of writes close together once, together, soon after they are stored', async () => {
    const count = 5;
    const world = await setupWorld(app(), 'Early look-ups', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 100 }], contacts: Array.from({ length: count }, () => ({ phoneNumber: usPhone() })) });
    const id = await createCampaign(app(), world, 'Early look-ups');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    const { dataSource: ds, statuses, deliveryEvents, log } = app().server.services;
    const ids: number[] = (await ds.query('SELECT id FROM messages WHERE campaign_id = ? ORDER BY id', [decode('cmp', id)])).map((r: { id: number }) => Number(r.id));
    await ds.query(`UPDATE messages SET provider_sid = NULL, status = ? WHERE campaign_id = ?`, [MessageStatus.SENDING, decode('cmp', id)]);
    const messages = (await new MessageRepository(ds).byIds(ids)).sort((x, y) => x.id - y.id);
    const told: string[][] = [];
    let applied = 0;
    // A window wide enough that four writes fall in it on a loaded machine too (the server's is 50 ms).
    const recorder = new SidRecorder(new SendQueueRepository(ds), statuses, deliveryEvents, log, async (sids) => {
      told.push([...sids]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      applied += sids.length;
    }, 1000);
    const sidOf = (i: number) => `SMnear${ids[i]}`;

    // One write each, one after another.
    for (let i = 0; i < count - 1; i++) await recorder.record({ message: messages[i], sid: sidOf(i), attempts: 1, response: 'HTTP 201' });
    await until('the first look-up', async () => told.length > 0, 5000, 5);
    expect(told).toEqual([ids.slice(0, count - 1).map((_, i) => sidOf(i))]);
    // The last one is looked up when the recorder is drained, and drain waits for it to be applied.
    await recorder.record({ message: messages[count - 1], sid: sidOf(count - 1), attempts: 1, response: 'HTTP 201' });
    await recorder.drain();

    expect(told.flat().sort()).toEqual(ids.map((_, i) => sidOf(i)).sort());
    expect(applied).toBe(count);
  });
});
