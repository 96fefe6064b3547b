import { GroupedWriter } from '../src/core/grouped-writer';

// Group commit for the webhooks' writes (inbound replies, status callbacks): alone a write runs
// at once, writes arriving while batches are in flight share the next one, and each caller
// learns its own item's outcome.

interface Gate {
  items: readonly number[];
  open(outcomes?: Array<PromiseSettledResult<number>>): void;
  fail(error: Error): void;
}

function controlledWriter() {
  const batches: Gate[] = [];
  const writer = new GroupedWriter<number, number>((items) => new Promise((resolve, reject) => {
    batches.push({
      items,
      open: (outcomes) => resolve(outcomes ?? items.map((i) => ({ status: 'fulfilled', value: i * 10 }))),
      fail: reject,
    });
  }), { maxInFlight: 2, maxBatch: 3 });
  return { writer, batches };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const settle = <T>(promises: Array<Promise<T>>) => Promise.allSettled(promises).then((all) => all.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)));

describe('GroupedWriter', () => {
  it('writes a lone item at once, in a batch of its own', async () => {
    const { writer, batches } = controlledWriter();
    const outcome = writer.add(7);
    expect(batches.map((b) => b.items)).toEqual([[7]]);
    batches[0].open();
    await expect(outcome).resolves.toBe(70);
  });

  it('holds the items that arrive while maxInFlight batches run, then writes them together, at most maxBatch a batch', async () => {
    const { writer, batches } = controlledWriter();
    const first = writer.add(1);
    const second = writer.add(2);
    const waiting = [3, 4, 5, 6, 7].map((i) => writer.add(i));
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    batches[1].open();
    await second;
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4, 5]]);
    batches[0].open();
    await first;
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4, 5], [6, 7]]);
    batches[2].open();
    batches[3].open();
    await expect(Promise.all(waiting)).resolves.toEqual([30, 40, 50, 60, 70]);
  });

  it.each([
    {
      name: 'each item gets its own outcome, a failed one only its own',
      end: (g: Gate) => g.open([{ status: 'fulfilled', value: 1 }, { status: 'rejected', reason: new Error('duplicate') }, { status: 'fulfilled', value: 3 }]),
      expected: [1, 'duplicate', 3],
    },
    { name: 'a batch that throws fails every item of it', end: (g: Gate) => g.fail(new Error('database gone')), expected: ['database gone', 'database gone', 'database gone'] },
    {
      name: 'an item the batch gave no outcome fails rather than hangs',
      end: (g: Gate) => g.open([{ status: 'fulfilled', value: 1 }]),
      expected: [1, 'grouped write: no outcome for this item', 'grouped write: no outcome for this item'],
    },
  ])('$name', async ({ end, expected }) => {
    const { writer, batches } = controlledWriter();
    const blockers = [writer.add(0), writer.add(0)];
    const items = [writer.add(1), writer.add(2), writer.add(3)];
    batches[0].open();
    await blockers[0];
    await tick();
    expect(batches[2].items).toEqual([1, 2, 3]);
    end(batches[2]);
    expect(await settle(items)).toEqual(expected);
    // The writer goes on after a failed batch.
    batches[1].open();
    await blockers[1];
    const after = writer.add(9);
    batches[3].open();
    await expect(after).resolves.toBe(90);
  });
});
