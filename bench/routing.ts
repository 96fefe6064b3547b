import 'reflect-metadata';
import { SubscriptionStatus } from '../src/contacts/membership.entity';
import { parsePhone, type ParsedPhone } from '../src/core/phone';
import { decideRoute, type RouteRecipient, type RoutingContext } from '../src/routing/routing';
import { Sender, SenderType } from '../src/groups/sender.entity';
import { SubscriptionGroup } from '../src/groups/subscription-group.entity';
import { runBench } from './support';

// Routing of 100,000 recipients over 10 countries from already-loaded data: what a campaign
// launch does after loading its group, senders, memberships and conversations.

const RECIPIENTS = 100_000;
const RUNS = 7;

/** Ten countries, each with a sender mix and a recipient number pattern (last digits vary). */
const COUNTRIES: Array<{ country: string; prefix: string; digits: number; senders: Array<[SenderType, string]> }> = [
  { country: 'US', prefix: '+14152', digits: 6, senders: [[SenderType.SHORT_CODE, '12345'], [SenderType.SHORT_CODE, '12346'], [SenderType.LONG_CODE, '+14155550100']] },
  { country: 'CA', prefix: '+14162', digits: 6, senders: [[SenderType.TOLL_FREE, '+18885551234'], [SenderType.LONG_CODE, '+16135550123']] },
  { country: 'GB', prefix: '+447400', digits: 6, senders: [[SenderType.ALPHANUMERIC, 'ACME'], [SenderType.LONG_CODE, '+447400123456']] },
  { country: 'DE', prefix: '+49151', digits: 8, senders: [[SenderType.LONG_CODE, '+4930123456'], [SenderType.LONG_CODE, '+4930123457']] },
  { country: 'FR', prefix: '+336', digits: 8, senders: [[SenderType.SHORT_CODE, '38100']] },
  { country: 'AU', prefix: '+614', digits: 8, senders: [[SenderType.TOLL_FREE, '+611800123456']] },
  { country: 'IN', prefix: '+9198', digits: 8, senders: [[SenderType.ALPHANUMERIC, 'ACMEIN']] },
  { country: 'MX', prefix: '+5255', digits: 8, senders: [] },
  { country: 'ES', prefix: '+346', digits: 8, senders: [] },
  { country: 'BR', prefix: '+55119', digits: 8, senders: [] },
];

function buildContext(): RoutingContext {
  let id = 1;
  const senders = COUNTRIES.flatMap(({ country, senders: list }) => list.map(([type, value]) => Object.assign(new Sender(), {
    id: id++, groupId: 1, accountId: 1, type, value, activeValue: value, country, twoWay: type !== SenderType.ALPHANUMERIC, maxPerSecond: 10, createdAt: new Date(), removedAt: null,
  })));
  const group = Object.assign(new SubscriptionGroup(), { id: 1, accountId: 1, name: 'bench', description: null, internationalFallback: true, createdAt: new Date() });
  return {
    group,
    homeCountry: 'US',
    senders,
    policy: { accountId: 1, suspension: null, blockedPrefixes: ['+3460', '+4474009'], enabledCountries: new Set(COUNTRIES.map((c) => c.country).filter((c) => c !== 'BR')) },
  };
}

function buildRecipients(senderCount: number): RouteRecipient[] {
  const recipients: RouteRecipient[] = [];
  for (let i = 0; recipients.length < RECIPIENTS; i++) {
    const spec = COUNTRIES[i % COUNTRIES.length];
    const serial = String((i * 7919) % 10 ** spec.digits).padStart(spec.digits, '0');
    const phone: ParsedPhone = parsePhone(spec.prefix + serial);
    recipients.push({
      phone,
      membership: i % 50 === 0 ? SubscriptionStatus.UNSUBSCRIBED : SubscriptionStatus.SUBSCRIBED,
      // One in ten has a conversation already, some with a sender since removed.
      stickySenderIds: i % 10 === 3 ? [1 + (i % (senderCount + 3))] : undefined,
    });
  }
  return recipients;
}

export function runRoutingBench(): Record<string, unknown> {
  const ctxTemplate = buildContext();
  const recipients = buildRecipients(ctxTemplate.senders.length);
  const timings: number[] = [];
  const outcomes = new Map<string, number>();
  for (let run = 0; run < RUNS; run++) {
    // A fresh context per run, so that building its index is part of the measured time.
    const ctx: RoutingContext = { ...ctxTemplate };
    const start = process.hrtime.bigint();
    for (const recipient of recipients) {
      const decision = decideRoute(ctx, recipient);
      if (run === 0) {
        const key = decision.allowed ? `sent:${decision.sender.type}` : `refused:${decision.error.code}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    }
    timings.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return {
    scenario: 'routing',
    recipients: RECIPIENTS,
    countries: COUNTRIES.length,
    senders: ctxTemplate.senders.length,
    runs: RUNS,
    medianMs: Number(median.toFixed(2)),
    bestMs: Number(sorted[0].toFixed(2)),
    decisionsPerSecond: Math.round(RECIPIENTS / (median / 1000)),
    outcomes: Object.fromEntries([...outcomes].sort()),
    node: process.version,
    at: new Date().toISOString(),
  };
}

if (require.main === module) {
  runBench('routing', runRoutingBench, (result) =>
    `routing: ${result.recipients} decisions over ${result.countries} countries in ${result.medianMs} ms (median of ${result.runs}): ${result.decisionsPerSecond} decisions/s`);
}
