import type DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import { groupedLoader } from '../core/grouped-loader';
import { senderValueKey } from '../groups/sender-rules';
import type { InboundThreadsRepository, KnownThread } from './inbound-threads.repository';

interface LookUpKey {
  activeValue: string;
  from: string;
}

// Look-ups that arrive while these are in flight wait and then go together in one statement.
const MAX_IN_FLIGHT = 2;
const MAX_BATCH = 100;
const TO_KEYS = 10_000;

/**
 * The thread look-up of each inbound message, grouped as the writer groups its commits: alone,
 * a look-up runs at once; under load, those arriving while others are in flight share the next
 * round trip. The profile of the webhook under load put the time in the database round trips
 * (a socket write per statement), not in the statements, and the look-up was one per message.
 *
 * Nothing is cached across messages but the To number's normalised form (a pure function of
 * it): the sender, contact and conversation are read fresh for every message, so a sender
 * removed or moved on any instance is seen by the very next message.
 */
export class InboundLookUps {
  private readonly toKeys = new LRUCache<string, string>({ max: TO_KEYS });
  private readonly loader: DataLoader<LookUpKey, KnownThread | null>;

  constructor(sql: InboundThreadsRepository) {
    this.loader = groupedLoader((keys: readonly LookUpKey[]) => sql.lookUpMany(keys), { maxInFlight: MAX_IN_FLIGHT, maxBatch: MAX_BATCH });
  }

  /** The sender holding `to` and, where they exist, the contact `from`, their thread and its last campaign. */
  lookUp(to: string, from: string): Promise<KnownThread | null> {
    const activeValue = this.activeValueOf(to);
    return activeValue ? this.loader.load({ activeValue, from }) : Promise.resolve(null);
  }

  /** senderValueKey parses the number with libphonenumber's metadata: a few percent of a reply's CPU. */
  private activeValueOf(to: string): string {
    let key = this.toKeys.get(to);
    if (key === undefined) {
      key = senderValueKey(to);
      this.toKeys.set(to, key);
    }
    return key;
  }
}
