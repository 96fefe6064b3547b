import { PLANNED_COLUMNS as LAUNCH_COLUMNS } from '../src/messaging/campaign-messages';
import { decode } from '../src/core/ids';
import { buildWorld } from './campaign-world';
import { runBench } from './support';

// launchCampaign to a 100,000-member group over ten countries on MariaDB: from the mutation to
// every message stored with its sender or refusal. Compared, in the same run, with a plain
// multi-row INSERT of the very same rows into a copy of the messages table (the floor).

const MEMBERS = Number(process.env.BENCH_LAUNCH_MEMBERS ?? 100_000);

export async function runLaunchBench(): Promise<Record<string, unknown>> {
  const world = await buildWorld({ members: MEMBERS, workers: false });
  try {
    const { createCampaign } = await world.gql('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      { input: { groupId: world.groupId, name: 'bench', body: 'Hi {{first_name}}, your {{attributes.tier}} offer ends tonight. Reply STOP to opt out.' } });
    const start = performance.now();
    const { launchCampaign } = await world.gql('mutation($id: ID!) { launchCampaign(id: $id) { id status stats { recipients queued rejected } } }', { id: createCampaign.id });
    const launchMs = performance.now() - start;
    const ds = world.server.services.dataSource;
    const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM messages WHERE campaign_id = ?', [decode('cmp', createCampaign.id)]);

    // The floor: the same rows, already in memory, written with the same multi-row INSERTs in one transaction.
    const rows: Array<Record<string, unknown>> = await ds.query(`SELECT ${LAUNCH_COLUMNS.join(', ')} FROM messages WHERE campaign_id = ?`, [decode('cmp', createCampaign.id)]);
    await ds.query('CREATE TABLE messages_copy LIKE messages');
    const tuple = `(${LAUNCH_COLUMNS.map(() => '?').join(', ')})`;
    const insertStart = performance.now();
    await ds.transaction(async (manager) => {
      const perStatement = world.server.services.campaignMessages.rowsPerInsert();
      for (let i = 0; i < rows.length; i += perStatement) {
        const chunk = rows.slice(i, i + perStatement);
        await manager.query(`INSERT INTO messages_copy (${LAUNCH_COLUMNS.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`, chunk.flatMap((r) => LAUNCH_COLUMNS.map((c) => r[c])));
      }
    });
    const insertMs = performance.now() - insertStart;
    // Then cancel it (after the floor, so that the messages failing behind the answer do not slow the plain INSERT).
    const cancelStart = performance.now();
    await world.gql('mutation($id: ID!) { cancelCampaign(id: $id) { status } }', { id: createCampaign.id });
    const cancelMs = performance.now() - cancelStart;
    await world.server.services.campaigns.drain();
    const cancelDrainedMs = performance.now() - cancelStart;
    return {
      scenario: 'launch',
      database: 'mariadb',
      members: world.members,
      countries: 10,
      messagesStored: Number(n),
      stats: launchCampaign.stats,
      launchMs: Math.round(launchMs),
      messagesPerSecond: Math.round(Number(n) / (launchMs / 1000)),
      plainInsertMs: Math.round(insertMs),
      launchVsPlainInsert: Number((launchMs / insertMs).toFixed(2)),
      cancelMs: Math.round(cancelMs),
      cancelAllFailedMs: Math.round(cancelDrainedMs),
      node: process.version,
      at: new Date().toISOString(),
    };
  } finally {
    await world.close();
  }
}

if (require.main === module) {
  runBench('launch', runLaunchBench, (result) =>
    `launch: ${result.messagesStored} messages for ${result.members} members in ${result.launchMs} ms on MariaDB; the same rows as a plain multi-row INSERT: ${result.plainInsertMs} ms (launch = ${result.launchVsPlainInsert}x); cancel: answered in ${result.cancelMs} ms, every queued message FAILED after ${result.cancelAllFailedMs} ms`);
}
