import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import express from 'express';
import type { Browser, Page } from 'playwright-core';
import { createInboxRouter } from '../src/inbox/inbox.router';
import { describeEachDatabase, type TestApp } from './helpers/app';
import { chromiumInstalled, CHROMIUM, launchChromium, openInbox } from './helpers/browser';
import { carrierMessages, createCampaign, importContacts, setupWorld, until, usPhone, waitForCampaign } from './helpers/campaign-fixtures';
import { conversationWith, eventually, messageSid, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';

// The inbox page in a real Chromium against the real server: what an agent sees and does.

async function say(app: TestApp, inbox: InboxFixture, from: string, body: string): Promise<void> {
  const res = await postInbound(app, { MessageSid: messageSid(), From: from, To: inbox.senderValue, Body: body });
  expect(res.status).toBe(200);
}

const conversationList = (page: Page) => page.getByRole('list', { name: 'Conversations' });
const itemOf = (page: Page, phoneNumber: string) => conversationList(page).getByRole('listitem').filter({ hasText: phoneNumber });
const thread = (page: Page) => page.getByRole('log', { name: 'Messages' });
const replyBox = (page: Page) => page.getByRole('textbox', { name: 'Reply' });
const outbound = (page: Page, body: string) => thread(page).locator('li.outbound').filter({ hasText: body });

async function open(page: Page, phoneNumber: string): Promise<void> {
  await itemOf(page, phoneNumber).getByRole('button').click();
  await page.getByRole('heading', { name: phoneNumber }).waitFor();
}

async function answer(page: Page, body: string): Promise<void> {
  await replyBox(page).fill(body);
  await replyBox(page).press('Enter');
}

function browserSuite(title: string, suite: (app: () => TestApp, browser: () => Browser) => void): void {
  if (!chromiumInstalled()) {
    const why = `${CHROMIUM} is missing (apt-get install chromium; .ci/run does)`;
    if (process.env.CI && process.env.CI !== 'false') {
      describe(title, () => it('runs in Chromium', () => { throw new Error(`${why}: CI must run the browser tests`); }));
    } else {
      console.warn(`Skipping the browser tests "${title}": ${why}.`);
      describe.skip(title, () => it('runs in Chromium', () => {}));
    }
    return;
  }
  describeEachDatabase(title, (app) => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });
    suite(app, () => browser!);
  }, { env: { SIMULATOR_UNDELIVERED_SHARE: '0' } });
}

browserSuite('the inbox page', (app, browser) => {
  const pages: Page[] = [];
  const inboxFor = async (key: string) => {
    const page = await openInbox(browser(), app().url, key);
    pages.push(page);
    return page;
  };
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.context().close()));
  });

  it('says when a key is not accepted, keeps a good one for the tab, and forgets it on sign-out', async () => {
    const inbox = await setupInbox(app(), 'Sign in');
    const context = await browser().newContext();
    pages.push(await context.newPage());
    const page = pages[pages.length - 1];
    await page.goto(`${app().url}/inbox`);
    await page.getByLabel('API key').fill('sb_not_a_real_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();

    await page.getByLabel('API key').fill(inbox.account.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await conversationList(page).waitFor({ state: 'attached' });
    expect(page.url()).not.toContain(inbox.account.key);
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    await page.reload();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('signs out, saying why, when its key is revoked', async () => {
    const inbox = await setupInbox(app(), 'Revoked');
    const issued = await app().ok<{ createApiKey: { apiKey: { id: string }; secret: string } }>(
      'mutation($a: ID!) { createApiKey(accountId: $a, name: "agent") { apiKey { id } secret } }',
      { a: inbox.account.id },
      inbox.account.key,
    );
    const page = await inboxFor(issued.createApiKey.secret);
    await app().ok('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: issued.createApiKey.apiKey.id }, inbox.account.key);
    await page.getByText('The API key is no longer accepted').waitFor();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('shows a reply live, opens it, and answers it; the carrier gets the answer and its status follows', async () => {
    const inbox = await setupInbox(app(), 'Live reply');
    const page = await inboxFor(inbox.account.key);
    const contact = usNumber();
    await say(app(), inbox, contact, 'Is the store open on Sunday?');

    const item = itemOf(page, contact);
    await item.filter({ hasText: 'Is the store open on Sunday?' }).filter({ hasText: '1 unread' }).waitFor();
    await open(page, contact);
    await thread(page).locator('li.inbound').filter({ hasText: 'Is the store open on Sunday?' }).waitFor();
    await eventually(async () => expect((await conversationWith(app(), inbox, contact)).unreadCount).toBe(0));
    await item.filter({ hasNotText: 'unread' }).waitFor();

    await replyBox(page).fill('Yes, from 10 to 4');
    await page.getByText('17/160 · 1 segment · GSM-7').waitFor();
    await replyBox(page).press('Shift+Enter');
    await replyBox(page).pressSequentially('See you 👋');
    await page.getByText('28/70 · 1 segment · UCS-2').waitFor();
    expect(await replyBox(page).inputValue()).toBe('Yes, from 10 to 4\nSee you 👋');
    await page.getByRole('button', { name: 'Send' }).click();

    await outbound(page, 'See you').waitFor();
    expect(await replyBox(page).inputValue()).toBe('');
    const taken = await until('the carrier to take the answer', async () => (await carrierMessages(`${app().url}/carrier`, contact)).find((m) => m.body === 'Yes, from 10 to 4\nSee you 👋'));
    expect(taken.from).toBe(inbox.senderValue);
    await outbound(page, 'See you').locator('[data-status="DELIVERED"]').filter({ hasText: 'Delivered' }).waitFor();
    await item.filter({ hasText: 'You: Yes, from 10 to 4' }).waitFor();
  });

  it('moves a conversation to the top when a new reply arrives, and filters by status and group', async () => {
    const inbox = await setupInbox(app(), 'Ordering');
    const second = await setupInbox(app(), 'Ordering second group', inbox.account);
    const page = await inboxFor(inbox.account.key);
    const [a, b, c] = [usNumber(), usNumber(), usNumber()];
    await say(app(), inbox, a, 'first');
    await say(app(), inbox, b, 'second');
    await say(app(), second, c, 'third, other group');
    const numbers = async () => (await conversationList(page).locator('.number').allTextContents());
    await eventually(async () => expect(await numbers()).toEqual([c, b, a]));
    await say(app(), inbox, a, 'first again');
    await eventually(async () => expect(await numbers()).toEqual([a, c, b]));

    await page.getByLabel('Group').selectOption({ label: 'Ordering second group group' });
    await eventually(async () => expect(await numbers()).toEqual([c]));
    await page.getByLabel('Group').selectOption({ label: 'All groups' });
    await open(page, b);
    await page.getByRole('button', { name: 'Close conversation' }).click();
    await page.getByRole('button', { name: 'Reopen conversation' }).waitFor();
    await page.getByLabel('Show').selectOption('closed');
    await eventually(async () => expect(await numbers()).toEqual([b]));
    // A reply reopens a closed thread: it leaves the closed list live.
    await say(app(), inbox, b, 'back again');
    await eventually(async () => expect(await numbers()).toEqual([]));
    await page.getByLabel('Show').selectOption('open');
    await eventually(async () => expect(await numbers()).toEqual([b, a, c]));
  });

  it('loads older conversations by cursor as the list is scrolled, each once', async () => {
    const inbox = await setupInbox(app(), 'Paging');
    const numbers = Array.from({ length: 35 }, () => usNumber());
    for (const [i, n] of numbers.entries()) await say(app(), inbox, n, `reply ${i}`);
    const page = await inboxFor(inbox.account.key);
    const items = conversationList(page).getByRole('listitem');
    await items.nth(29).waitFor();
    expect(await items.count()).toBe(30);
    await items.first().hover();
    await page.mouse.wheel(0, 20_000);
    await items.nth(34).waitFor();
    await page.getByRole('button', { name: 'Load more conversations' }).waitFor({ state: 'detached' });
    expect(await conversationList(page).locator('.number').allTextContents()).toEqual([...numbers].reverse());
  });

  it('moves through the list with the arrow keys and opens a thread with Enter', async () => {
    const inbox = await setupInbox(app(), 'Keyboard');
    const [a, b] = [usNumber(), usNumber()];
    await say(app(), inbox, a, 'older');
    await say(app(), inbox, b, 'newer');
    const page = await inboxFor(inbox.account.key);
    await itemOf(page, a).waitFor();
    await itemOf(page, b).getByRole('button').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: a }).waitFor();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: b }).waitFor();
    await replyBox(page).focus();
    await page.keyboard.type('typed with the keyboard');
    await page.keyboard.press('Enter');
    await outbound(page, 'typed with the keyboard').waitFor();
  });

  it('does not answer a contact who opted out, and says why when a send is refused', async () => {
    const inbox = await setupInbox(app(), 'Opted out');
    const page = await inboxFor(inbox.account.key);
    const quitter = usNumber();
    await say(app(), inbox, quitter, 'STOP');
    await open(page, quitter);
    await page.getByText('has opted out').waitFor();
    expect(await replyBox(page).isDisabled()).toBe(true);

    // Opted out through the API, unknown to the open page: the send is refused in words.
    const other = usNumber();
    await say(app(), inbox, other, 'hello');
    await open(page, other);
    await app().ok('mutation($g: ID!, $p: String!) { setSubscription(groupId: $g, phoneNumber: $p, status: UNSUBSCRIBED) { status } }', { g: inbox.groupId, p: other }, inbox.account.key);
    await answer(page, 'Are you still there?');
    await page.getByRole('alert').filter({ hasText: 'Not sent. The contact has opted out of this group.' }).filter({ hasText: 'RECIPIENT_UNSUBSCRIBED' }).waitFor();
    await page.getByRole('textbox', { name: 'Reply', disabled: true }).waitFor();
    expect(await carrierMessages(`${app().url}/carrier`, other)).toEqual([]);
  });

  it("shows two tabs of one account each other's answers live, and another account's key none of it", async () => {
    const inbox = await setupInbox(app(), 'Two agents');
    const stranger = await setupInbox(app(), 'Another tenant');
    const [tabOne, tabTwo, elsewhere] = [await inboxFor(inbox.account.key), await inboxFor(inbox.account.key), await inboxFor(stranger.account.key)];
    const contact = usNumber();
    await say(app(), inbox, contact, 'Anyone there?');
    await itemOf(tabOne, contact).waitFor();
    await itemOf(tabTwo, contact).waitFor();
    await open(tabOne, contact);
    await open(tabTwo, contact);

    await answer(tabOne, 'Agent one here');
    await outbound(tabTwo, 'Agent one here').locator('[data-status="DELIVERED"]').waitFor();
    await itemOf(tabTwo, contact).filter({ hasText: 'You: Agent one here' }).waitFor();
    await answer(tabTwo, 'And agent two');
    await outbound(tabOne, 'And agent two').waitFor();

    const own = usNumber();
    await say(app(), stranger, own, 'for the other tenant');
    await itemOf(elsewhere, own).waitFor();
    expect(await conversationList(elsewhere).getByRole('listitem').count()).toBe(1);
    expect(await itemOf(elsewhere, contact).count()).toBe(0);
  });

  it('shows names, the campaign message a reply answers, and each status (the README screenshot)', async () => {
    const world = await setupWorld(app(), 'Acme Support', { countries: [], senders: [{ type: 'LONG_CODE', value: usNumber() }], contacts: [] });
    const people = [['Ada', 'Lovelace'], ['Grace', 'Hopper'], ['Alan', 'Turing'], ['Katherine', 'Johnson']].map(([firstName, lastName]) => ({ phoneNumber: usPhone(), firstName, lastName }));
    await importContacts(app(), world.account, world.groupId, people);
    const campaign = await createCampaign(app(), world, 'Hi {{first_name}}, our spring sale starts today: 20% off everything. Reply with questions!');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { status } }', { id: campaign }, world.account.key);
    await waitForCampaign(app(), world.account.key, campaign, ['COMPLETED']);
    const inbox: InboxFixture = { account: world.account, groupId: world.groupId, senderId: world.senders[0].id, senderValue: world.senders[0].value };
    const page = await inboxFor(world.account.key);
    await say(app(), inbox, people[3].phoneNumber, 'Does it cover gift cards?');
    await say(app(), inbox, people[2].phoneNumber, 'Thanks!');
    await say(app(), inbox, people[1].phoneNumber, 'Is the sale online too?');
    await say(app(), inbox, people[0].phoneNumber, 'Hello! Do you ship to Canada?');
    await itemOf(page, people[0].phoneNumber).filter({ hasText: 'Ada Lovelace' }).waitFor();

    await open(page, people[1].phoneNumber);
    await thread(page).locator('li.outbound').filter({ hasText: 'Campaign Spring sale' }).filter({ hasText: 'Hi Grace' }).waitFor();
    await answer(page, 'Yes: the same prices online, until Sunday.');
    await outbound(page, 'until Sunday').locator('[data-status="DELIVERED"]').waitFor();
    await replyBox(page).fill('Anything else I can help with?');
    if (process.env.INBOX_SCREENSHOT) {
      mkdirSync(dirname(process.env.INBOX_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: process.env.INBOX_SCREENSHOT });
    }
  });

  it('shows that it is reconnecting while the network is down, and catches up on what it missed', async () => {
    const inbox = await setupInbox(app(), 'Network drop');
    const context = await browser().newContext();
    const page = await context.newPage();
    pages.push(page);
    let down = false;
    const connections = new Set<() => void>();
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      if (down) return socket.close({ code: 1013, reason: 'network down' });
      const server = socket.connectToServer();
      const cut = () => {
        socket.close({ code: 1001, reason: 'network down' });
        server.close();
      };
      connections.add(cut);
      socket.onClose(() => connections.delete(cut));
    });
    await page.goto(`${app().url}/inbox`);
    await page.getByLabel('API key').fill(inbox.account.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    down = true;
    connections.forEach((cut) => cut());
    await page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
    const missed = usNumber();
    await say(app(), inbox, missed, 'sent while the agent was offline');
    await expect(itemOf(page, missed).count()).resolves.toBe(0);
    down = false;
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await itemOf(page, missed).filter({ hasText: 'sent while the agent was offline' }).waitFor();
  });

  it('reconnects by itself after the server restarts', async () => {
    const inbox = await setupInbox(app(), 'Restart');
    const page = await inboxFor(inbox.account.key);
    await app().server.close();
    await page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
    await app().restart();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const contact = usNumber();
    await say(app(), inbox, contact, 'after the restart');
    await itemOf(page, contact).filter({ hasText: 'after the restart' }).waitFor();
  });
});

describe('GET /inbox without a build', () => {
  it('answers 503 saying how to build the page', async () => {
    const server = express().use('/inbox', createInboxRouter('/nonexistent')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/inbox`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build');
    } finally {
      server.close();
    }
  });
});
