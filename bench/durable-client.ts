import type { DataSource } from 'typeorm';
import { campaignNotCancelled } from '../src/campaigns/campaign.repository';
import type { TwilioClient } from '../src/carrier/twilio-client';
import { SendQueueRepository, type StoredSid } from '../src/messaging/send-queue.repository';

// The bare twilio client plus the two writes that "never twice, never lost" needs, and nothing
// else: each batch claimed (QUEUED -> SENDING, one UPDATE) before its messages are posted, and
// the sids stored after (CASE UPDATEs, one in flight at a time), with the send queue's own
// statements on the messages table and its rhythm (up to 64 claimed once half the slots are
// free). No look for what is due, no rule read, no event: the floor of any queue that hands over
// at most once, which the queue's figure can be set against.

const CLAIM = 64;

interface Row { id: number; to: string; from: string; body: string }

/** The campaign's queued messages, read before the clock starts. */
export async function queuedRows(ds: DataSource, campaignId: number): Promise<Row[]> {
  const rows: Array<{ id: number; to_address: string; from_address: string; body: string }> = await ds.query(
    "SELECT id, to_address, from_address, body FROM messages WHERE campaign_id = ? AND status = 'QUEUED' ORDER BY id", [campaignId]);
  return rows.map((r) => ({ id: Number(r.id), to: r.to_address, from: r.from_address, body: r.body }));
}

/** Hands `rows` over at `concurrency`, claiming up to 64 at a time when half the slots are free, as the queue does. */
export async function durableHandOver(ds: DataSource, client: TwilioClient, rows: Row[], statusCallback: string, concurrency: number): Promise<void> {
  const queue = new SendQueueRepository(ds);
  const notCancelled = campaignNotCancelled('campaign_id');
  const pending: StoredSid[] = [];
  let writing: Promise<void> | null = null;
  const storeSids = () => {
    writing ??= (async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (pending.length) {
        const batch = pending.splice(0, 500);
        const stored = await queue.storeSids(batch, new Date());
        if (stored.size !== batch.length) throw new Error(`stored ${stored.size} of ${batch.length} sids`);
      }
    })().finally(() => { writing = null; });
    return writing;
  };

  let next = 0;
  let inFlight = 0;
  let claiming = false;
  await new Promise<void>((done, fail) => {
    const refill = () => {
      const room = concurrency - inFlight;
      if (claiming || next >= rows.length || (room < concurrency / 2 && inFlight > 0)) {
        if (next >= rows.length && inFlight === 0 && !claiming) storeSids().then(done, fail);
        return;
      }
      const batch = rows.slice(next, next + Math.min(room, CLAIM));
      next += batch.length;
      claiming = true;
      inFlight += batch.length;
      queue.claim(batch.map((r) => r.id), notCancelled, new Date()).then((got) => {
        claiming = false;
        if (got.size !== batch.length) throw new Error(`claimed ${got.size} of ${batch.length}`);
        for (const row of batch) {
          client.messages.create({ to: row.to, from: row.from, body: row.body, statusCallback }).then((message) => {
            pending.push({ id: row.id, sid: message.sid, attempts: 1, response: `HTTP 201: ${message.sid} ${message.status}` });
            void storeSids().catch(fail);
            inFlight--;
            refill();
          }, fail);
        }
        refill();
      }).catch(fail);
    };
    refill();
  });
}
