import type { TestApp } from './app';
import { createAccount, enableCountries, type AccountFixture } from './fixtures';

let seq = 0;

/** A fresh valid US number (202-555-xxxx) each call, distinct from the inbox helper's range. */
export function usPhone(): string {
  seq += 1;
  return `+1202555${String(5000 + (seq % 4000)).padStart(4, '0')}`;
}

export interface SenderSpec {
  type: 'LONG_CODE' | 'SHORT_CODE' | 'TOLL_FREE' | 'ALPHANUMERIC';
  value: string;
  country?: string;
  maxPerSecond?: number;
}

export interface ContactSpec {
  phoneNumber: string;
  firstName?: string;
  lastName?: string;
  attributes?: Record<string, unknown>;
}

export interface CampaignWorld {
  account: AccountFixture;
  groupId: string;
  senders: Array<{ id: string; value: string; country: string }>;
}

export async function setupWorld(app: TestApp, name: string, options: { countries: string[]; senders: SenderSpec[]; contacts: ContactSpec[]; account?: AccountFixture; fallback?: boolean }): Promise<CampaignWorld> {
  const account = options.account ?? (await createAccount(app, name, 'US'));
  if (options.countries.length) await enableCountries(app, account, options.countries, account.key);
  const group = await app.ok<{ createSubscriptionGroup: { id: string } }>(
    'mutation($input: CreateSubscriptionGroupInput!) { createSubscriptionGroup(input: $input) { id } }',
    { input: { name: `${name} group`, accountId: account.id, internationalFallback: options.fallback ?? false } },
    account.key,
  );
  const groupId = group.createSubscriptionGroup.id;
  const senders = [];
  for (const input of options.senders) {
    const data = await app.ok<{ addSender: { id: string; value: string; country: string } }>(
      'mutation($g: ID!, $input: SenderInput!) { addSender(groupId: $g, input: $input) { id value country } }',
      { g: groupId, input },
      account.key,
    );
    senders.push(data.addSender);
  }
  if (options.contacts.length) await importContacts(app, account, groupId, options.contacts);
  return { account, groupId, senders };
}

export async function importContacts(app: TestApp, account: AccountFixture, groupId: string, contacts: ContactSpec[]): Promise<void> {
  const data = await app.ok<{ importContacts: { rejected: unknown[] } }>(
    'mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { rejected { index } } }',
    { g: groupId, c: contacts },
    account.key,
  );
  if (data.importContacts.rejected.length) throw new Error(`import rejected rows: ${JSON.stringify(data.importContacts.rejected)}`);
}

export async function createCampaign(app: TestApp, world: CampaignWorld, body: string, extra: Record<string, unknown> = {}): Promise<string> {
  const data = await app.ok<{ createCampaign: { id: string } }>(
    'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
    { input: { groupId: world.groupId, name: 'Spring sale', body, ...extra } },
    world.account.key,
  );
  return data.createCampaign.id;
}

export const STATS = 'recipients queued sending sent delivered undelivered failed rejected replies optOuts byCountry { country recipients delivered failed rejected } rejectedByReason { code count }';

export async function campaignState(app: TestApp, key: string, id: string): Promise<any> {
  const data = await app.ok<{ campaign: any }>(
    `query($id: ID!) { campaign(id: $id) { id status launchedAt completedAt stats { ${STATS} }
      messages(first: 500) { totalCount nodes { id status body from to encoding segments providerSid sendAfter error { code providerCode message }
        sender { id value } contact { id phoneNumber } campaign { id } } } } }`,
    { id },
    key,
  );
  return data.campaign;
}

/** Polls until the campaign reaches one of the statuses (or fails after timeoutMs). */
export async function waitForCampaign(app: TestApp, key: string, id: string, statuses: string[], timeoutMs = 20000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await campaignState(app, key, id);
    if (statuses.includes(state.status)) return state;
    if (Date.now() > deadline) throw new Error(`campaign ${id} stayed ${state.status}: ${JSON.stringify(state.stats)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** What the carrier simulator mounted in the app took, per recipient number. */
export async function carrierMessages(baseUrl: string, to?: string): Promise<Array<{ sid: string; to: string; from: string; body: string; status: string }>> {
  const auth = 'Basic ' + Buffer.from('AC00000000000000000000000000000000:switchboard-simulator-auth-token').toString('base64');
  const res = await fetch(`${baseUrl}/dev/messages${to ? `?to=${encodeURIComponent(to)}` : ''}`, { headers: { authorization: auth } });
  return ((await res.json()) as { messages: any[] }).messages;
}

export async function carrierFault(baseUrl: string, status: number, count: number): Promise<void> {
  const auth = 'Basic ' + Buffer.from('AC00000000000000000000000000000000:switchboard-simulator-auth-token').toString('base64');
  const res = await fetch(`${baseUrl}/dev/faults`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ status, count }) });
  if (res.status !== 200) throw new Error(`fault not set: ${res.status}`);
}

/**
 * Resolves once the app's send queue has taken a whole look at its due messages after this
 * call, and what that look handed over has reached the carrier: a message the queue was wrong
 * to send has been sent by then.
 */
export async function queueLooked(app: TestApp): Promise<void> {
  const { dispatcher } = app.server.services;
  await dispatcher.nextLook();
  await dispatcher.settle(10000);
}

/**
 * A one-hour daily send window that is closed in `zone` now and for at least the next hour: it
 * opens two to five hours from now, and never at 01:00 to 03:59 local, where US clocks change
 * (so the opening exists and happens once, every day of the year).
 */
export function closedWindow(zone: string, now = new Date()): { start: string; end: string } {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(now));
  let start = (hour + 2) % 24;
  while (start >= 1 && start <= 3) start += 1;
  const hhmm = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  return { start: hhmm(start), end: hhmm(start + 1) };
}
