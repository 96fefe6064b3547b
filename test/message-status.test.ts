import { fromTwilioStatus, movesForward, statusRank } from '../src/messaging/message-status';
import { MessageStatus } from '../src/messaging/message.entity';

const { QUEUED, SENDING, SENT, DELIVERED, UNDELIVERED, FAILED, REJECTED, RECEIVED } = MessageStatus;

describe('message status order', () => {
  it.each([
    // from, to, may move
    [QUEUED, SENDING, true],
    [QUEUED, SENT, true],
    [QUEUED, DELIVERED, true],
    [SENDING, SENT, true],
    [SENDING, FAILED, true],
    [SENT, DELIVERED, true],
    [SENT, UNDELIVERED, true],
    [SENT, FAILED, true],
    [SENDING, QUEUED, false],
    [SENT, SENDING, false],
    [SENT, SENT, false],
    [DELIVERED, UNDELIVERED, false],
    [UNDELIVERED, DELIVERED, false],
    [FAILED, DELIVERED, false],
    [DELIVERED, DELIVERED, false],
    [REJECTED, SENDING, false],
    [QUEUED, REJECTED, false],
    [RECEIVED, DELIVERED, false],
    [SENT, RECEIVED, false],
  ])('%s -> %s moves forward: %p', (from, to, expected) => {
    expect(movesForward(from, to)).toBe(expected);
  });

  it('ranks the forward order, final statuses together, statuses outside it last', () => {
    expect([QUEUED, SENDING, SENT, DELIVERED, UNDELIVERED, FAILED, REJECTED, RECEIVED].map(statusRank)).toEqual([0, 1, 2, 3, 3, 3, 4, 4]);
  });

  it.each([
    ['accepted', QUEUED],
    ['scheduled', QUEUED],
    ['queued', QUEUED],
    ['sending', SENDING],
    ['sent', SENT],
    ['delivered', DELIVERED],
    ['read', DELIVERED],
    ['undelivered', UNDELIVERED],
    ['failed', FAILED],
    ['canceled', FAILED],
    [' Delivered ', DELIVERED],
    ['SENT', SENT],
    ['teleported', null],
    ['', null],
    ['receiving', null],
  ])('reads Twilio\'s %p as %p', (value, expected) => {
    expect(fromTwilioStatus(value)).toBe(expected);
  });
});
