import { segmentsOf } from '../src/core/segments';
import { applyOutbound, matchesFilter, mergeConversations, queryArguments, type ListFilter } from '../web/inbox/conversation-list';
import type { InboxConversation, InboxMessage } from '../web/inbox/model';
import { describeRefusal } from '../web/inbox/send-errors';
import { countSegments, describeCount } from '../web/inbox/segments';
import { belongsTo, mergeMessages, PENDING_PREFIX, settlePending, statusLabel } from '../web/inbox/thread';

// The inbox page's own logic, in the pure modules the page is built from.

const message = (id: string, fields: Partial<InboxMessage> = {}): InboxMessage => ({
  id,
  direction: 'INBOUND',
  body: `message ${id}`,
  status: 'RECEIVED',
  createdAt: '2026-03-01T10:00:00.000Z',
  error: null,
  contact: { id: 'c1' },
  sender: { id: 's1' },
  campaign: null,
  ...fields,
});

const conversation = (id: string, at: string, fields: Partial<InboxConversation> = {}): InboxConversation => ({
  id,
  status: 'OPEN',
  unreadCount: 0,
  lastMessageAt: at,
  contact: { id: `contact-${id}`, phoneNumber: `+1202555${id.padStart(4, '0')}`, firstName: null, lastName: null },
  sender: { id: 's1', value: '+12025550100' },
  group: { id: 'g1', name: 'Spring' },
  lastMessage: null,
  ...fields,
});

const ALL: ListFilter = { show: 'all', groupId: null };
const ids = (list: InboxConversation[]) => list.map((c) => c.id);

describe('the reply counter', () => {
  it.each([
    { label: 'an empty body', body: '', encoding: 'GSM7', units: 0, segments: 0, remaining: 160 },
    { label: 'Hello', body: 'Hello', encoding: 'GSM7', units: 5, segments: 1, remaining: 155 },
    { label: '160 × a', body: 'a'.repeat(160), encoding: 'GSM7', units: 160, segments: 1, remaining: 0 },
    { label: '161 × a', body: 'a'.repeat(161), encoding: 'GSM7', units: 161, segments: 2, remaining: 145 },
    { label: '306 × a', body: 'a'.repeat(306), encoding: 'GSM7', units: 306, segments: 2, remaining: 0 },
    { label: '307 × a', body: 'a'.repeat(307), encoding: 'GSM7', units: 307, segments: 3, remaining: 152 },
    { label: '{braces} cost two', body: '{braces} cost two', encoding: 'GSM7', units: 19, segments: 1, remaining: 141 },
    { label: '80 × €', body: '€'.repeat(80), encoding: 'GSM7', units: 160, segments: 1, remaining: 0 },
    { label: '81 × €', body: '€'.repeat(81), encoding: 'GSM7', units: 162, segments: 2, remaining: 144 },
    { label: 'café ça va', body: 'café ça va', encoding: 'UCS2', units: 10, segments: 1, remaining: 60 },
    { label: 'Ok 👍', body: 'Ok 👍', encoding: 'UCS2', units: 5, segments: 1, remaining: 65 },
    { label: '70 × ж', body: 'ж'.repeat(70), encoding: 'UCS2', units: 70, segments: 1, remaining: 0 },
    { label: '71 × ж', body: 'ж'.repeat(71), encoding: 'UCS2', units: 71, segments: 2, remaining: 63 },
    { label: '135 × ж', body: 'ж'.repeat(135), encoding: 'UCS2', units: 135, segments: 3, remaining: 66 },
  ])('counts $label as $encoding: $units units in $segments segments, $remaining left', ({ body, encoding, units, segments, remaining }) => {
    expect(countSegments(body)).toEqual({ encoding, units, segments, remaining });
  });

  it('agrees with the server on every body it sends', () => {
    const bodies = ['Hi', 'x'.repeat(153 * 3 + 1), '[tag] ~ok~ ^^', 'naïve', 'Ünïcödé', 'привет', '你好'.repeat(40), 'emoji 🎉 party', '\r\n\f', 'ç'];
    for (const body of bodies) {
      const page = countSegments(body);
      expect({ body, encoding: page.encoding, segments: page.segments }).toEqual({ body, ...segmentsOf(body) });
    }
  });

  it('says the count in words', () => {
    expect(describeCount(countSegments('Hello'))).toBe('5/160 · 1 segment · GSM-7');
    expect(describeCount(countSegments('a'.repeat(200)))).toBe('200/306 · 2 segments · GSM-7');
    expect(describeCount(countSegments('Привет'))).toBe('6/70 · 1 segment · UCS-2');
  });
});

describe('the conversation list', () => {
  it('orders by newest activity, keeping the order they came in (the server\'s) for the same time, whatever the ids', () => {
    const list = mergeConversations([], [
      conversation('cnv_b', '2026-03-01T10:00:00Z'),
      conversation('cnv_c', '2026-03-01T09:00:00Z'),
      conversation('cnv_a', '2026-03-01T10:00:00Z'),
    ], ALL);
    expect(ids(list)).toEqual(['cnv_b', 'cnv_a', 'cnv_c']);
  });

  it('moves a conversation to the top when a reply arrives, without repeating it', () => {
    const list = mergeConversations([], [conversation('1', '2026-03-01T10:00:00Z'), conversation('2', '2026-03-01T09:00:00Z')], ALL);
    const after = mergeConversations(list, [conversation('2', '2026-03-01T11:00:00Z', { unreadCount: 1 })], ALL);
    expect(ids(after)).toEqual(['2', '1']);
    expect(after[0].unreadCount).toBe(1);
  });

  it('adds a new conversation where its time puts it', () => {
    const list = mergeConversations([], [conversation('1', '2026-03-01T10:00:00Z'), conversation('2', '2026-03-01T08:00:00Z')], ALL);
    expect(ids(mergeConversations(list, [conversation('7', '2026-03-01T09:00:00Z')], ALL))).toEqual(['1', '7', '2']);
  });

  it('keeps the fresher copy when an older page brings a conversation a live event already moved', () => {
    const live = mergeConversations([], [conversation('5', '2026-03-01T12:00:00Z', { unreadCount: 2 })], ALL);
    const paged = mergeConversations(live, [conversation('5', '2026-03-01T07:00:00Z'), conversation('4', '2026-03-01T06:00:00Z')], ALL);
    expect(ids(paged)).toEqual(['5', '4']);
    expect(paged[0]).toMatchObject({ lastMessageAt: '2026-03-01T12:00:00Z', unreadCount: 2 });
  });

  it('drops a conversation the filter no longer admits: a reply reopens a closed thread', () => {
    const closed: ListFilter = { show: 'closed', groupId: null };
    const list = mergeConversations([], [conversation('1', '2026-03-01T10:00:00Z', { status: 'CLOSED' })], closed);
    expect(ids(list)).toEqual(['1']);
    expect(mergeConversations(list, [conversation('1', '2026-03-01T11:00:00Z', { status: 'OPEN' })], closed)).toEqual([]);
  });

  it.each([
    [{ show: 'open', groupId: null }, { status: 'OPEN' }, true],
    [{ show: 'open', groupId: null }, { status: 'CLOSED' }, false],
    [{ show: 'closed', groupId: null }, { status: 'CLOSED' }, true],
    [{ show: 'unread', groupId: null }, { unreadCount: 0 }, false],
    [{ show: 'unread', groupId: null }, { unreadCount: 3 }, true],
    [{ show: 'all', groupId: 'g2' }, {}, false],
    [{ show: 'all', groupId: 'g1' }, { status: 'CLOSED' }, true],
  ] as Array<[ListFilter, Partial<InboxConversation>, boolean]>)('filter %j admits %j: %s', (filter, fields, admitted) => {
    expect(matchesFilter(conversation('1', '2026-03-01T10:00:00Z', fields), filter)).toBe(admitted);
  });

  it('asks the server for what the filter shows', () => {
    expect(queryArguments({ show: 'unread', groupId: 'g1' })).toEqual({ status: null, unreadOnly: true, groupId: 'g1' });
    expect(queryArguments({ show: 'closed', groupId: null })).toEqual({ status: 'CLOSED', unreadOnly: false, groupId: null });
  });

  it("makes an agent's reply the last message and moves its conversation up", () => {
    const list = mergeConversations([], [
      conversation('1', '2026-03-01T10:00:00Z', { lastMessage: message('10') }),
      conversation('2', '2026-03-01T09:00:00Z', { lastMessage: message('9', { contact: { id: 'contact-2' } }) }),
    ], ALL);
    const reply = message('11', { direction: 'OUTBOUND', status: 'SENDING', contact: { id: 'contact-2' }, createdAt: '2026-03-01T10:30:00Z' });
    const after = applyOutbound(list, reply);
    expect(ids(after)).toEqual(['2', '1']);
    expect(after[0]).toMatchObject({ lastMessageAt: '2026-03-01T10:30:00Z', lastMessage: { id: '11' } });
  });

  it('ignores a delivery event of an older message or of a conversation not in the list', () => {
    const list = [conversation('1', '2026-03-01T10:00:00Z', { contact: { id: 'c1', phoneNumber: '+12025550001', firstName: null, lastName: null }, lastMessage: message('10') })];
    expect(applyOutbound(list, message('8', { direction: 'OUTBOUND', status: 'DELIVERED', createdAt: '2026-03-01T09:59:00.000Z' }))).toEqual(list);
    expect(applyOutbound(list, message('12', { direction: 'OUTBOUND', contact: { id: 'elsewhere' } }))).toEqual(list);
  });
});

describe('the thread', () => {
  it('orders messages oldest first by when they were written, whatever their ids, with those still being sent last', () => {
    const thread = mergeMessages([], [
      message('msg_A', { createdAt: '2026-03-01T10:00:02.000Z' }),
      message(`${PENDING_PREFIX}1`),
      message('msg_Z', { createdAt: '2026-03-01T10:00:01.000Z' }),
    ]);
    expect(thread.map((m) => m.id)).toEqual(['msg_Z', 'msg_A', `${PENDING_PREFIX}1`]);
  });

  it('puts a reply before its answer written in the same millisecond', () => {
    const at = '2026-03-01T10:00:00.123Z';
    const thread = mergeMessages([], [message('msg_A', { direction: 'OUTBOUND', createdAt: at }), message('msg_Z', { createdAt: at })]);
    expect(thread.map((m) => m.id)).toEqual(['msg_Z', 'msg_A']);
  });

  it('moves a status forward only, whatever order the events come in', () => {
    let thread = mergeMessages([], [message('5', { direction: 'OUTBOUND', status: 'QUEUED' })]);
    thread = mergeMessages(thread, [message('5', { direction: 'OUTBOUND', status: 'DELIVERED' })]);
    thread = mergeMessages(thread, [message('5', { direction: 'OUTBOUND', status: 'SENT' })]);
    expect(thread.map((m) => m.status)).toEqual(['DELIVERED']);
  });

  it("replaces the pending copy with the server's message, even when its delivery event came first", () => {
    const pending = message(`${PENDING_PREFIX}4`, { direction: 'OUTBOUND', status: 'QUEUED' });
    const early = mergeMessages([pending], [message('20', { direction: 'OUTBOUND', status: 'SENT' })]);
    const settled = settlePending(early, pending.id, message('20', { direction: 'OUTBOUND', status: 'QUEUED' }));
    expect(settled.map((m) => [m.id, m.status])).toEqual([['20', 'SENT']]);
    expect(settlePending([pending], pending.id, null)).toEqual([]);
  });

  it('shows a sent message once when its delivery event comes before the answer to the send', () => {
    const pending = message(`${PENDING_PREFIX}5`, { direction: 'OUTBOUND', status: 'QUEUED', body: 'On my way' });
    const other = message(`${PENDING_PREFIX}6`, { direction: 'OUTBOUND', status: 'QUEUED', body: 'Something else' });
    const evented = mergeMessages([pending, other], [message('21', { direction: 'OUTBOUND', status: 'SENDING', body: 'On my way' })]);
    expect(evented.map((m) => m.id)).toEqual(['21', other.id]);
    const settled = settlePending(evented, pending.id, message('21', { direction: 'OUTBOUND', status: 'QUEUED', body: 'On my way' }));
    expect(settled.map((m) => [m.id, m.status])).toEqual([['21', 'SENDING'], [other.id, 'QUEUED']]);
  });

  it('holds the messages between its contact and its sender, campaign messages included', () => {
    const thread = { contact: { id: 'c1', phoneNumber: '+12025550001', firstName: null, lastName: null }, sender: { id: 's1', value: '+12025550100' } };
    expect(belongsTo(message('1', { campaign: { id: '9', name: 'Spring' } }), thread)).toBe(true);
    expect(belongsTo(message('2', { sender: { id: 's2' } }), thread)).toBe(false);
  });

  it('says a delivery status in words, with the reason of a failure', () => {
    expect(statusLabel(message('1', { direction: 'OUTBOUND', status: 'DELIVERED' }))).toBe('Delivered');
    expect(statusLabel(message('1', { direction: 'OUTBOUND', status: 'FAILED', error: { code: 'PROVIDER_ERROR', message: 'Unknown destination handset', providerCode: 30005 } })))
      .toBe('Failed: Unknown destination handset');
    expect(statusLabel(message(`${PENDING_PREFIX}2`, { direction: 'OUTBOUND', status: 'QUEUED' }))).toBe('Sending');
  });

  it('words a refusal from its SendError', () => {
    expect(describeRefusal({ code: 'RECIPIENT_UNSUBSCRIBED', message: 'the recipient opted out' }))
      .toBe('Not sent. The contact has opted out of this group. (RECIPIENT_UNSUBSCRIBED: the recipient opted out)');
    expect(describeRefusal({ code: 'GEO_PERMISSION_DENIED', message: 'CA is not enabled' })).toContain("Sending to the contact's country is not enabled");
  });
});
