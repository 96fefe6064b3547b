/**
 * At most `perSecond` sends in any window of one second (a sliding log, so no burst of two
 * seconds' worth at a window's edge). Below one a second, one send per 1/perSecond seconds.
 * Fractional rates above one round down, never up.
 */
const SAFETY_MARGIN_MS = 50;

/** Sends allowed per window, and the window, for a rate of perSecond. */
export function windowOf(perSecond: number): { capacity: number; windowMs: number } {
  return {
    capacity: Math.max(1, Math.floor(perSecond)),
    // A small margin: the slot is taken just before the provider call, which may start a few
    // milliseconds later, and the carrier counts arrivals, not our intentions.
    windowMs: (perSecond >= 1 ? 1000 : 1000 / perSecond) + SAFETY_MARGIN_MS,
  };
}

export class SlidingRateLimiter {
  private readonly capacity: number;
  private readonly windowMs: number;
  private readonly log: number[] = [];
  private head = 0;

  constructor(readonly perSecond: number) {
    ({ capacity: this.capacity, windowMs: this.windowMs } = windowOf(perSecond));
  }

  /** Takes a slot at `now` when one is free. */
  tryTake(now: number): boolean {
    if (this.size() >= this.capacity) {
      if (now - this.log[this.head] < this.windowMs) return false;
      this.head++;
    }
    this.log.push(now);
    if (this.head > 4096 && this.head * 2 > this.log.length) {
      this.log.splice(0, this.head);
      this.head = 0;
    }
    return true;
  }

  /** When the next slot frees, or `now` when one is free already. */
  nextFreeAt(now: number): number {
    if (this.size() < this.capacity) return now;
    return Math.max(now, this.log[this.head] + this.windowMs);
  }

  /** True when no send of the last window counts any more: forgetting the limiter changes nothing. */
  idle(now: number): boolean {
    return this.size() === 0 || now - this.log[this.log.length - 1] >= this.windowMs;
  }

  private size(): number {
    return this.log.length - this.head;
  }
}
