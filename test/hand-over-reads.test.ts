import { decode } from '../src/core/ids';
import { Message } from '../src/messaging/message.entity';
import { describeEachDatabase } from './helpers/app';
import { createCampaign, setupWorld, usPhone } from './helpers/campaign-fixtures';
import { queriesDuring } from './helpers/query-count';

// The send queue reads every rule fresh for each batch it hands over. What that costs is a
// number of statements a batch, whatever its size: a read a message (or a table read twice)
// would multiply the queue's cost on a machine where each statement is its round trip. Workers
// are off, so that nothing else runs while the statements are counted.
describeEachDatabase('the hand-over guard reads the rules of a batch', (app) => {
  const queued: Message[][] = [];

  beforeAll(async () => {
    for (const [name, members] of [['Reads A', 60], ['Reads B', 30]] as const) {
      const world = await setupWorld(app(), name, {
        countries: [],
        senders: [{ type: 'LONG_CODE', value: usPhone() }, { type: 'LONG_CODE', value: usPhone() }],
        contacts: Array.from({ length: members }, () => ({ phoneNumber: usPhone() })),
      });
      const id = await createCampaign(app(), world, 'Hello {{first_name}}');
      await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
      queued.push(await app().server.services.dataSource.getRepository(Message).find({ where: { campaignId: decode('cmp', id)! }, order: { id: 'ASC' } }));
    }
    expect(queued.map((messages) => messages.length)).toEqual([60, 30]);
    // The first look at a sender reads what never changes of it, its group and its account; later ones take them from memory.
    await app().server.services.guardState.load([...queued[0], ...queued[1]], Date.now());
  });

  async function statementsFor(messages: Message[]): Promise<string[]> {
    const { result: state, sql } = await queriesDuring(app().server.services.dataSource, () => app().server.services.guardState.load(messages, Date.now()));
    // What was read is what the verdicts need: every message's sender and group context.
    for (const message of messages) expect(state.contexts.get(state.senders.get(message.senderId!)!.groupId)).toBeDefined();
    return sql;
  }

  it.each([
    ['one message', 1],
    ['ten messages', 10],
    ['sixty messages', 60],
  ] as const)('%s of one campaign: as many statements as a batch of one, at most six', async (_name, size) => {
    const one = await statementsFor(queued[0].slice(0, 1));
    const these = await statementsFor(queued[0].slice(0, size));
    expect(these).toHaveLength(one.length);
    // Campaign, frequency caps, account, regions with blocks, group with senders, memberships.
    expect(one.length).toBeLessThanOrEqual(6);
  });

  it('two accounts\' campaigns in one batch: one statement more (the second group\'s memberships), not one an account', async () => {
    const one = await statementsFor(queued[0].slice(0, 1));
    const both = await statementsFor([...queued[0], ...queued[1]]);
    expect(both).toHaveLength(one.length + 1);
    expect(both.filter((sql) => /memberships/i.test(sql))).toHaveLength(2);
  });
}, { env: { SWITCHBOARD_WORKERS: 'off' } });
