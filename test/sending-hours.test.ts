import { loadConfig } from '../src/config';
import { LEGAL_HOURS } from '../src/compliance/legal-hours';
import { LawBook } from '../src/compliance/legal-window';
import { parseWindow } from '../src/campaigns/send-window';
import { describeEachDatabase } from './helpers/app';
import { createCampaign, setupWorld } from './helpers/campaign-fixtures';

const REGIONS = JSON.stringify([{ name: 'FR', prefixes: ['+33'], start: '10:00', end: '20:00', closedDays: [0], cap: { max: 2, windowSeconds: 86400 }, source: 'test region' }]);

// sendingHours at fixed instants (UTC): Miami and DC are UTC-5 in January, Tulsa and Jackson UTC-6, Paris UTC+1.
const CASES: Array<[name: string, phone: string, at: string, expected: { rules: string[]; window: string | null; open: boolean; nextOpening: string | null; caps?: number; zone?: string }]> = [
  ['Florida at 19:30 local: open, 08:00-20:00, 3 a day', '+13055550100', '2026-01-05T00:30:00Z', { rules: ['US', 'US-FL'], window: '08:00-20:00', open: true, nextOpening: '2026-01-05T00:30:00.000Z', caps: 1, zone: 'America/New_York' }],
  ['Florida at 20:30 local: closed until 08:00', '+13055550100', '2026-01-05T01:30:00Z', { rules: ['US', 'US-FL'], window: '08:00-20:00', open: false, nextOpening: '2026-01-05T13:00:00.000Z', caps: 1 }],
  ['Florida at 07:59 local: closed for a minute', '+13055550100', '2026-01-05T12:59:00Z', { rules: ['US', 'US-FL'], window: '08:00-20:00', open: false, nextOpening: '2026-01-05T13:00:00.000Z', caps: 1 }],
  ['DC at 20:30 local: the federal window runs to 21:00', '+12025550100', '2026-01-05T01:30:00Z', { rules: ['US'], window: '08:00-21:00', open: true, nextOpening: '2026-01-05T01:30:00.000Z', caps: 0 }],
  ['DC at 21:00 local: closed until 08:00', '+12025550100', '2026-01-05T02:00:00Z', { rules: ['US'], window: '08:00-21:00', open: false, nextOpening: '2026-01-05T13:00:00.000Z' }],
  ['Oklahoma (Tulsa, Central) at 19:30 local', '+19185550100', '2026-01-06T01:30:00Z', { rules: ['US', 'US-OK'], window: '08:00-20:00', open: true, nextOpening: '2026-01-06T01:30:00.000Z', caps: 1, zone: 'America/Chicago' }],
  ['Oklahoma City (405) is Central too', '+14055550100', '2026-01-06T02:30:00Z', { rules: ['US', 'US-OK'], window: '08:00-20:00', open: false, nextOpening: '2026-01-06T14:00:00.000Z', zone: 'America/Chicago' }],
  ['Mississippi on a Sunday: closed all day, Monday 08:00', '+16015550100', '2026-01-04T17:00:00Z', { rules: ['US', 'US-MS'], window: '08:00-20:00', open: false, nextOpening: '2026-01-05T14:00:00.000Z' }],
  ['Connecticut at 08:30: opens at 09:00', '+12035550100', '2026-01-05T13:30:00Z', { rules: ['US', 'US-CT'], window: '09:00-20:00', open: false, nextOpening: '2026-01-05T14:00:00.000Z' }],
  ['Maryland at 20:10: 3 a day too', '+13015550100', '2026-01-06T01:10:00Z', { rules: ['US', 'US-MD'], window: '08:00-20:00', open: false, nextOpening: '2026-01-06T13:00:00.000Z', caps: 1 }],
  ['Washington (Seattle, Pacific) at 19:00', '+12065550100', '2026-01-06T03:00:00Z', { rules: ['US', 'US-WA'], window: '08:00-20:00', open: true, nextOpening: '2026-01-06T03:00:00.000Z', zone: 'America/Los_Angeles' }],
  ['a number no rule covers (UK): always open', '+447911123456', '2026-01-05T03:00:00Z', { rules: [], window: null, open: true, nextOpening: '2026-01-05T03:00:00.000Z', caps: 0 }],
  ["an operator's region (France) at 09:00 Paris: opens at 10:00", '+33612345678', '2026-01-05T08:00:00Z', { rules: ['FR'], window: '10:00-20:00', open: false, nextOpening: '2026-01-05T09:00:00.000Z', caps: 1 }],
  ["an operator's region on its closed Sunday", '+33612345678', '2026-01-04T12:00:00Z', { rules: ['FR'], window: '10:00-20:00', open: false, nextOpening: '2026-01-05T09:00:00.000Z' }],
];

const QUERY = `query($p: String!, $at: DateTime) { sendingHours(phoneNumber: $p, at: $at) { phoneNumber timeZone localTime enforced open window closedDays nextOpening
  rules { name source start end closedDays cap { maxMessages windowSeconds } } caps { maxMessages windowSeconds } explanation } }`;

describeEachDatabase('sendingHours and bad input', (app) => {
  it.each(CASES)('%s', async (_name, phone, at, expected) => {
    const { sendingHours: h } = await app().ok(QUERY, { p: phone, at });
    expect({ rules: h.rules.map((r: any) => r.name), window: h.window, open: h.open, nextOpening: h.nextOpening })
      .toEqual({ rules: expected.rules, window: expected.window, open: expected.open, nextOpening: expected.nextOpening });
    if (expected.caps !== undefined) expect(h.caps.length).toBe(expected.caps);
    if (expected.zone) expect(h.timeZone).toBe(expected.zone);
    expect(h.enforced).toBe(true);
    for (const rule of h.rules) expect(rule.source).not.toBe('');
    expect(h.explanation).toContain(h.phoneNumber);
  });

  it('explains in words: the rules, their sources and the local time', async () => {
    const { sendingHours: h } = await app().ok(QUERY, { p: '+1 (305) 555-0100', at: '2026-01-05T01:30:00Z' });
    expect(h.phoneNumber).toBe('+13055550100');
    expect(h.localTime).toBe('2026-01-04 20:30 Sunday');
    expect(h.explanation).toMatch(/US-FL \(Fla\. Stat\. 501\.616/);
    expect(h.explanation).toMatch(/closed now, opening 2026-01-05T13:00:00.000Z/);
  });

  describe('bad input', () => {
    const BAD: Array<[name: string, query: string, variables: (ids: { account: string; group: string }) => Record<string, unknown>, field: string]> = [
      ['a cap of 0', 'mutation($a: ID!, $c: [FrequencyCapInput!]!) { setAccountFrequencyCaps(accountId: $a, caps: $c) { maxMessages } }', (i) => ({ a: i.account, c: [{ maxMessages: 0, windowSeconds: 86400 }] }), 'caps[0].maxMessages'],
      ['a negative cap', 'mutation($g: ID!, $c: [FrequencyCapInput!]!) { setGroupFrequencyCaps(groupId: $g, caps: $c) { maxMessages } }', (i) => ({ g: i.group, c: [{ maxMessages: 3, windowSeconds: 86400 }, { maxMessages: -1, windowSeconds: 3600 }] }), 'caps[1].maxMessages'],
      ['a window of 0 seconds', 'mutation($a: ID!, $c: [FrequencyCapInput!]!) { setAccountFrequencyCaps(accountId: $a, caps: $c) { maxMessages } }', (i) => ({ a: i.account, c: [{ maxMessages: 3, windowSeconds: 0 }] }), 'caps[0].windowSeconds'],
      ['a window over a year', 'mutation($a: ID!, $c: [FrequencyCapInput!]!) { setAccountFrequencyCaps(accountId: $a, caps: $c) { maxMessages } }', (i) => ({ a: i.account, c: [{ maxMessages: 3, windowSeconds: 40_000_000 }] }), 'caps[0].windowSeconds'],
      ['the same window twice', 'mutation($a: ID!, $c: [FrequencyCapInput!]!) { setAccountFrequencyCaps(accountId: $a, caps: $c) { maxMessages } }', (i) => ({ a: i.account, c: [{ maxMessages: 3, windowSeconds: 60 }, { maxMessages: 5, windowSeconds: 60 }] }), 'caps[1].windowSeconds'],
      ['a validity of 0', 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }', (i) => ({ i: { groupId: i.group, name: 'x', body: 'x', validitySeconds: 0 } }), 'validitySeconds'],
      ['a validity over 36000 s', 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }', (i) => ({ i: { groupId: i.group, name: 'x', body: 'x', validitySeconds: 36001 } }), 'validitySeconds'],
      ['a negative validity', 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }', (i) => ({ i: { groupId: i.group, name: 'x', body: 'x', validitySeconds: -5 } }), 'validitySeconds'],
      ['sendingHours of no number', QUERY, () => ({ p: 'not a number' }), 'phoneNumber'],
      ['sendingHours of 2,000 digits', QUERY, () => ({ p: `+1${'5'.repeat(2000)}` }), 'phoneNumber'],
    ];

    it.each(BAD)('refuses %s naming the field, and changes nothing', async (_name, query, variables, field) => {
      const w = await setupWorld(app(), `Bad ${field}`, { countries: [], senders: [], contacts: [] });
      await app().ok('mutation($a: ID!) { setAccountFrequencyCaps(accountId: $a, caps: [{ maxMessages: 7, windowSeconds: 86400 }]) { maxMessages } }', { a: w.account.id }, w.account.key);
      const res = await app().gql(query, variables({ account: w.account.id, group: w.groupId }), w.account.key);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      const after = await app().ok('query($a: ID!) { account(id: $a) { frequencyCaps { maxMessages } } }', { a: w.account.id }, w.account.key);
      expect(after.account.frequencyCaps).toEqual([{ maxMessages: 7 }]);
    });

    it('takes an overnight send window (end before start) as running across midnight', async () => {
      const w = await setupWorld(app(), 'Overnight', { countries: [], senders: [], contacts: [] });
      const id = await createCampaign(app(), w, 'Late', { sendWindow: { start: '22:00', end: '06:00' } });
      expect(id).toMatch(/^cmp_/);
    });

    it("keeps other accounts' caps to themselves", async () => {
      const mine = await setupWorld(app(), 'Mine', { countries: [], senders: [], contacts: [] });
      const theirs = await setupWorld(app(), 'Theirs', { countries: [], senders: [], contacts: [] });
      const res = await app().gql('mutation($a: ID!) { setAccountFrequencyCaps(accountId: $a, caps: []) { maxMessages } }', { a: theirs.account.id }, mine.account.key);
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  });
}, { env: { LEGAL_RULES: 'on', LEGAL_HOURS_REGIONS: REGIONS } });

describe('the law book, without a server', () => {
  const law = new LawBook(LEGAL_HOURS, true);
  const miami = { e164: '+13055550100', country: 'US' };

  it.each([
    // campaign window, at (UTC), next opening (UTC) for a Miami number; null: the windows never meet
    ['no campaign window, 19:59 local', null, '2026-01-05T00:59:00Z', '2026-01-05T00:59:00.000Z'],
    ['no campaign window, 20:00 local', null, '2026-01-05T01:00:00Z', '2026-01-05T13:00:00.000Z'],
    ['a 09:00-17:00 window inside the law, at 08:30', ['09:00', '17:00'], '2026-01-05T13:30:00Z', '2026-01-05T14:00:00.000Z'],
    ['a 06:00-09:00 window: from the law\'s 08:00', ['06:00', '09:00'], '2026-01-05T11:00:00Z', '2026-01-05T13:00:00.000Z'],
    ['a 19:00-23:00 window at 20:30: tomorrow 19:00', ['19:00', '23:00'], '2026-01-05T01:30:00Z', '2026-01-06T00:00:00.000Z'],
    ['an overnight 22:00-06:00 window: never in Florida', ['22:00', '06:00'], '2026-01-05T01:30:00Z', null],
  ] as Array<[string, [string, string] | null, string, string | null]>)('%s', (_name, window, at, expected) => {
    const opening = law.nextSendingOpening(window ? parseWindow(window[0], window[1]) : null, miami, Date.parse(at));
    expect(opening === null ? null : new Date(opening).toISOString()).toBe(expected);
  });

  it('holds nothing back when not enforced, yet shows the rules', () => {
    const off = new LawBook(LEGAL_HOURS, false);
    expect(off.nextSendingOpening(null, miami, Date.parse('2026-01-05T01:30:00Z'))).toBe(Date.parse('2026-01-05T01:30:00Z'));
    expect(off.hoursFor(miami).rules.map((r) => r.name)).toEqual(['US', 'US-FL']);
  });

  it.each([
    [{ LEGAL_RULES: 'maybe' }, /LEGAL_RULES must be on or off/],
    [{ LEGAL_RULES: 'off', NODE_ENV: 'production', TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 't' }, /LEGAL_RULES=off is refused with NODE_ENV=production/],
    [{ LEGAL_HOURS_REGIONS: '{' }, /LEGAL_HOURS_REGIONS is not JSON/],
    [{ LEGAL_HOURS_REGIONS: '[{"name":"X","prefixes":["33"],"start":"10:00","end":"20:00"}]' }, /LEGAL_HOURS_REGIONS \[0\]\.prefixes/],
    [{ LEGAL_HOURS_REGIONS: '[{"name":"X","prefixes":["+33"],"start":"22:00","end":"06:00"}]' }, /LEGAL_HOURS_REGIONS \[0\]\.end must be after start/],
    [{ LEGAL_HOURS_REGIONS: '[{"name":"X","prefixes":["+33"],"start":"10:00","end":"20:00","cap":{"max":0,"windowSeconds":60}}]' }, /LEGAL_HOURS_REGIONS \[0\]\.cap/],
  ])('refuses the configuration %j', (env, message) => {
    expect(() => loadConfig({ CARRIER_SIMULATOR: 'on', ...env })).toThrow(message);
  });
});
