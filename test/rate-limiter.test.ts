import { SlidingRateLimiter, windowOf } from '../src/messaging/rate-limiter';

// The pace of one sender, on an injected clock (milliseconds).

/** The instants at which a limiter takes `count` sends when asked at every free slot from 0 on. */
function sendTimes(perSecond: number, count: number): number[] {
  const limiter = new SlidingRateLimiter(perSecond);
  const times: number[] = [];
  let now = 0;
  while (times.length < count) {
    if (limiter.tryTake(now)) times.push(now);
    else now = limiter.nextFreeAt(now);
  }
  return times;
}

describe('SlidingRateLimiter', () => {
  it.each([
    // perSecond, sends allowed per window, window (ms, with the 50 ms margin)
    [1, 1, 1050],
    [3, 3, 1050],
    [3.9, 3, 1050],
    [10, 10, 1050],
    [0.5, 1, 2050],
    [0.01, 1, 100050],
  ])('at %p a second allows %p sends per %p ms', (perSecond, capacity, windowMs) => {
    expect(windowOf(perSecond)).toEqual({ capacity, windowMs });
  });

  it.each([1, 3, 3.5, 10])('never lets %p a second take more than that in any second', (perSecond) => {
    const times = sendTimes(perSecond, 50);
    const capacity = Math.floor(perSecond);
    for (let i = capacity; i < times.length; i++) expect(times[i] - times[i - capacity]).toBeGreaterThanOrEqual(1000);
  });

  it('sends a burst up to its capacity at once, then the next one a window after the first', () => {
    expect(sendTimes(3, 7)).toEqual([0, 0, 0, 1050, 1050, 1050, 2100]);
  });

  it('slides: a slot frees a window after its own send, not at a fixed second boundary', () => {
    const limiter = new SlidingRateLimiter(2);
    expect(limiter.tryTake(0)).toBe(true);
    expect(limiter.tryTake(600)).toBe(true);
    expect(limiter.tryTake(1000)).toBe(false);
    expect(limiter.nextFreeAt(1000)).toBe(1050);
    expect(limiter.tryTake(1049)).toBe(false);
    expect(limiter.tryTake(1050)).toBe(true);
    expect(limiter.nextFreeAt(1100)).toBe(1650);
    expect(limiter.tryTake(1649)).toBe(false);
  });

  it('spaces sends 1/perSecond apart below one a second', () => {
    expect(sendTimes(0.5, 3)).toEqual([0, 2050, 4100]);
  });

  it('answers now as the next free slot while it has room', () => {
    const limiter = new SlidingRateLimiter(3);
    expect(limiter.nextFreeAt(500)).toBe(500);
    limiter.tryTake(500);
    limiter.tryTake(500);
    expect(limiter.nextFreeAt(600)).toBe(600);
  });

  it('keeps its limit across the compaction of a long log', () => {
    const times = sendTimes(5, 20_000);
    expect(times.slice(5).filter((t, i) => t - times[i] < 1000)).toEqual([]);
    expect(times[times.length - 1]).toBe((20_000 / 5 - 1) * 1050);
  });
});
