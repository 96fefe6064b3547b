import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTwilioClient } from '../src/carrier/twilio-client';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '../src/config';
import { buildWorld } from './campaign-world';

// Hand-over to the carrier simulator with rate limits lifted (every sender at 10,000/s), on
// MariaDB: from launchCampaign until every message is SENDING with its provider sid. The
// simulator's status callbacks are off, so that the figure is the hand-over alone (they cost as
// much again). Compared in the same run with the bare twilio client sending as many messages to
// the same endpoint at the same concurrency, in the same process.

const MESSAGES = Number(process.env.BENCH_HANDOVER_MESSAGES ?? 20_000);
const CONCURRENCY = 200;

export async function runHandoverBench(): Promise<Record<string, unknown>> {
  const world = await buildWorld({ members: MESSAGES, workers: true, maxPerSecond: 10_000, statusCallbacks: false });
  try {
    const ds = world.server.services.dataSource;
    const { createCampaign } = await world.gql('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      { input: { groupId: world.groupId, name: 'bench', body: 'Hi {{first_name}}, your offer ends tonight.' } });
    const campaignId = Number(createCampaign.id);
    const start = performance.now();
    await world.gql('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: createCampaign.id });
    const launchedMs = performance.now() - start;
    const [{ queued }] = await ds.query("SELECT COUNT(*) AS queued FROM messages WHERE campaign_id = ? AND status <> 'REJECTED'", [campaignId]);
    const toSend = Number(queued);
    for (;;) {
      const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM messages WHERE campaign_id = ? AND provider_sid IS NOT NULL', [campaignId]);
      if (Number(n) >= toSend) break;
      if (performance.now() - start > 90_000) throw new Error(`only ${n} of ${toSend} handed over after 90 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const handoverMs = performance.now() - start - launchedMs;

    const client = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: `${world.server.url}/carrier` }, CONCURRENCY);
    const statusCallback = `${world.server.services.config.publicUrl}/webhooks/twilio/status`;
    let next = 0;
    const bareStart = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < toSend) {
        const i = next++;
        await client.messages.create({ to: `+1415${String(5_000_000 + i).padStart(7, '0')}`, from: '+12025550100', body: 'Hi there, your offer ends tonight.', statusCallback });
      }
    }));
    const bareMs = performance.now() - bareStart;
    return {
      scenario: 'handover',
      database: 'mariadb',
      messages: toSend,
      launchMs: Math.round(launchedMs),
      handoverMs: Math.round(handoverMs),
      messagesPerSecond: Math.round(toSend / (handoverMs / 1000)),
      bareClientMs: Math.round(bareMs),
      bareClientMessagesPerSecond: Math.round(toSend / (bareMs / 1000)),
      concurrency: CONCURRENCY,
      node: process.version,
      at: new Date().toISOString(),
    };
  } finally {
    await world.close();
  }
}

if (require.main === module) {
  runHandoverBench().then((result) => {
    const dir = join(process.cwd(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'handover.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(`handover: ${result.messages} messages to the simulator in ${result.handoverMs} ms = ${result.messagesPerSecond}/s through the queue; bare twilio client: ${result.bareClientMessagesPerSecond}/s`);
  }).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
