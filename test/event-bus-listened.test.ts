import { createEventBus } from '../src/core/pubsub';

// listened() is asked in a message's turn (the sid recorder announces SENDING through it): with
// Redis away it must answer at once, as "listened", so that events are built as before.
describe('event bus: listened()', () => {
  it('answers true without waiting while Redis cannot be reached', async () => {
    const bus = createEventBus('redis://127.0.0.1:1', `sbtest-${process.pid}`);
    try {
      const started = Date.now();
      expect(await bus.listened('delivery', 1)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await bus.close();
    }
  });

  it('tells a channel with a subscriber from one without, in-process', async () => {
    const bus = createEventBus();
    expect(await bus.listened('delivery', 7)).toBe(false);
    const subscription = bus.pubsub.subscribe('delivery', 7);
    expect(await bus.listened('delivery', 7)).toBe(true);
    expect(await bus.listened('delivery', 8)).toBe(false);
    await subscription.return?.();
    expect(await bus.listened('delivery', 7)).toBe(false);
  });
});
