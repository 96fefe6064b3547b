import { SubscriptionStatus } from '../src/contacts/membership.entity';
import { parsePhone } from '../src/core/phone';
import { decideRoute, type RoutingContext } from '../src/routing/routing';
import { Sender, SenderType } from '../src/groups/sender.entity';
import { SubscriptionGroup } from '../src/groups/subscription-group.entity';

// The pure decision, on loaded data: what campaigns and replies call for each recipient.

let nextId = 1;
function sender(type: SenderType, value: string, country: string): Sender {
  return Object.assign(new Sender(), { id: nextId++, groupId: 1, accountId: 1, type, value, activeValue: value, country, twoWay: type !== SenderType.ALPHANUMERIC, maxPerSecond: 1, createdAt: new Date(), removedAt: null });
}

function context(senders: Sender[], options: { fallback?: boolean; enabled?: string[]; suspension?: string | null; blocked?: string[] } = {}): RoutingContext {
  const group = Object.assign(new SubscriptionGroup(), { id: 1, accountId: 1, name: 'g', description: null, internationalFallback: options.fallback ?? false, createdAt: new Date() });
  return {
    group,
    homeCountry: 'US',
    senders,
    policy: { accountId: 1, suspension: options.suspension ?? null, blockedPrefixes: options.blocked ?? [], enabledCountries: new Set(options.enabled ?? ['US', 'CA', 'GB', 'DE']) },
  };
}

/** Distinct valid US numbers, deterministic. */
function usNumbers(count: number): string[] {
  const numbers: string[] = [];
  for (let i = 0; numbers.length < count; i++) {
    const phone = parsePhone(`+1212${String(2000000 + i * 37).padStart(7, '0')}`);
    if (phone.valid && phone.country === 'US') numbers.push(phone.e164);
  }
  return numbers;
}

describe('decideRoute', () => {
  const us1 = sender(SenderType.LONG_CODE, '+14155550101', 'US');
  const us2 = sender(SenderType.LONG_CODE, '+14155550102', 'US');
  const us3 = sender(SenderType.LONG_CODE, '+14155550103', 'US');
  const us4 = sender(SenderType.LONG_CODE, '+14155550104', 'US');
  const gb = sender(SenderType.LONG_CODE, '+447400123456', 'GB');
  const recipient = parsePhone('+12125550123');

  it('spreads 10,000 recipients within 10% of an even share over 4 senders, each keeping its sender', () => {
    const ctx = context([us1, us2, us3, us4]);
    const counts = new Map<string, number>();
    const numbers = usNumbers(10_000);
    const firstPick = new Map<string, string>();
    for (const e164 of numbers) {
      const decision = decideRoute(ctx, { phone: parsePhone(e164), membership: SubscriptionStatus.SUBSCRIBED });
      if (!decision.allowed) throw new Error(decision.error.message);
      counts.set(decision.sender.value, (counts.get(decision.sender.value) ?? 0) + 1);
      firstPick.set(e164, decision.sender.value);
    }
    expect(counts.size).toBe(4);
    for (const count of counts.values()) expect(Math.abs(count - 2500)).toBeLessThanOrEqual(250);
    // A fresh context (another campaign, another process) picks the same senders.
    const again = context([us4, us3, us2, us1]);
    for (const e164 of numbers.slice(0, 500)) {
      const decision = decideRoute(again, { phone: parsePhone(e164), membership: null });
      expect(decision.allowed && decision.sender.value).toBe(firstPick.get(e164));
    }
  });

  it('moves only the recipients of a removed sender to the others', () => {
    const numbers = usNumbers(2000);
    const before = context([us1, us2, us3, us4]);
    const after = context([us1, us2, us3]);
    for (const e164 of numbers) {
      const phone = parsePhone(e164);
      const was = decideRoute(before, { phone, membership: null });
      const now = decideRoute(after, { phone, membership: null });
      if (was.allowed && now.allowed && was.sender.id !== us4.id) expect(now.sender.id).toBe(was.sender.id);
    }
  });

  it('keeps the sticky sender over the hash, most recent conversation first', () => {
    const ctx = context([us1, us2, us3, us4]);
    const plain = decideRoute(ctx, { phone: recipient, membership: null });
    const other = [us1, us2, us3, us4].find((s) => plain.allowed && s.id !== plain.sender.id)!;
    const sticky = decideRoute(ctx, { phone: recipient, membership: null, stickySenderIds: [other.id, us1.id] });
    expect(sticky.allowed && sticky.sender.id).toBe(other.id);
  });

  it('ignores a removed sticky sender and falls back to the normal choice', () => {
    const removed = sender(SenderType.SHORT_CODE, '99999', 'US');
    const ctx = context([us1, us2]);
    const decision = decideRoute(ctx, { phone: recipient, membership: null, stickySenderIds: [removed.id] });
    expect(decision.allowed && [us1.id, us2.id]).toContain(decision.allowed && decision.sender.id);
    const next = decideRoute(ctx, { phone: recipient, membership: null, stickySenderIds: [removed.id, us2.id] });
    expect(next.allowed && next.sender.id).toBe(us2.id);
  });

  it('keeps a sticky sender abroad only while international fallback lets it send there', () => {
    const withFallback = decideRoute(context([us1, gb], { fallback: true }), { phone: recipient, membership: null, stickySenderIds: [gb.id] });
    expect(withFallback.allowed && withFallback.sender.id).toBe(gb.id);
    const withoutFallback = decideRoute(context([us1, gb], { fallback: false }), { phone: recipient, membership: null, stickySenderIds: [gb.id] });
    expect(withoutFallback.allowed && withoutFallback.sender.id).toBe(us1.id);
  });

  it('never picks an alphanumeric sender for a US recipient, even one found in old data', () => {
    const alpha = sender(SenderType.ALPHANUMERIC, 'LEGACY', 'US');
    const decision = decideRoute(context([alpha], { fallback: true }), { phone: recipient, membership: null });
    expect(decision).toMatchObject({ allowed: false, error: { code: 'NO_ELIGIBLE_SENDER' } });
  });

  it('lets keyword replies skip the opt-out check, and nothing else', () => {
    const ctx = context([us1]);
    const unsubscribed = { phone: recipient, membership: SubscriptionStatus.UNSUBSCRIBED };
    expect(decideRoute(ctx, unsubscribed)).toMatchObject({ allowed: false, error: { code: 'RECIPIENT_UNSUBSCRIBED', providerCode: 21610 } });
    expect(decideRoute(ctx, unsubscribed, { skipOptOutCheck: true })).toMatchObject({ allowed: true, sender: { id: us1.id } });
    const blocked = context([us1], { blocked: ['+1212'] });
    expect(decideRoute(blocked, unsubscribed, { skipOptOutCheck: true })).toMatchObject({ allowed: false, error: { code: 'PREFIX_BLOCKED' } });
  });

  it('refuses a PENDING (double opt-in) member everything but an exempt confirmation request or keyword answer', () => {
    const ctx = context([us1]);
    const pending = { phone: recipient, membership: SubscriptionStatus.PENDING };
    expect(decideRoute(ctx, pending)).toMatchObject({ allowed: false, error: { code: 'RECIPIENT_NOT_CONFIRMED', providerCode: null } });
    expect(decideRoute(ctx, pending, { body: 'Spring sale' })).toMatchObject({ allowed: false, error: { code: 'RECIPIENT_NOT_CONFIRMED' } });
    expect(decideRoute(ctx, pending, { skipOptOutCheck: true })).toMatchObject({ allowed: true, sender: { id: us1.id } });
  });

  it('checks the body when one is given, before the number', () => {
    const ctx = context([us1]);
    expect(decideRoute(ctx, { phone: parsePhone('12'), membership: null }, { body: '' })).toMatchObject({ error: { code: 'INVALID_BODY' } });
    expect(decideRoute(ctx, { phone: recipient, membership: null }, { body: 'x'.repeat(1601) })).toMatchObject({ error: { code: 'INVALID_BODY' } });
    expect(decideRoute(ctx, { phone: recipient, membership: null }, { body: 'x'.repeat(1600) })).toMatchObject({ allowed: true });
  });

  it('reports suspension first, whatever else is wrong', () => {
    const ctx = context([], { suspension: 'unpaid', enabled: [] });
    expect(decideRoute(ctx, { phone: parsePhone('nope'), membership: SubscriptionStatus.UNSUBSCRIBED }, { body: '' })).toMatchObject({ error: { code: 'ACCOUNT_SUSPENDED' } });
  });
});
