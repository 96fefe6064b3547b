import { GroupedWriter } from '../src/core/grouped-writer';

// Group commit for the webhooks' writes (inbound replies, status changes): alone an item is
// written at once and on its own, items arriving while batches are in flight share the next
// one, and a batch that fails together is written item by item, each learning its own outcome.

interface Gate {
  items: readonly number[];
  open(outcomes?: number[]): void;
  fail(error: Error): void;
}

function controlledWriter(alone: (item: number) => Promise<number> = async (item) => item) {
  const batches: Gate[] = [];
  const lone: number[] = [];
  const sharedFailures: string[] = [];
  const writer = new GroupedWriter<number, number>({
    together: (items) => new Promise((resolve, reject) => {
      batches.push({ items, open: (outcomes) => resolve(outcomes ?? items.map((i) => i * 10)), fail: reject });
    }),
    alone: (item) => {
      lone.push(item);
      return alone(item);
    },
  }, { maxInFlight: 2, maxBatch: 3, onSharedFailure: (error) => sharedFailures.push((error as Error).message) });
  return { writer, batches, lone, sharedFailures };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const settle = <T>(promises: Array<Promise<T>>) => Promise.allSettled(promises).then((all) => all.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)));


describe('GroupedWriter', () => {
  it('writes a lone item at once, on its own', async () => {
    const { writer, batches, lone } = controlledWriter();
    await expect(writer.add(7)).resolves.toBe(7);
    expect({ lone, batches: batches.length }).toEqual({ lone: [7], batches: 0 });
  });

  it('holds the items that arrive while maxInFlight writes run, then writes them together, at most maxBatch at once', async () => {
    const open: Array<() => void> = [];
    const gates = [0, 1].map(() => new Promise<void>((resolve) => open.push(resolve)));
    const { writer, batches, lone } = controlledWriter(async (item) => {
      await gates[item - 1];
      return item;
    });
    const alone = [writer.add(1), writer.add(2)];
    const waiting = [3, 4, 5, 6, 7].map((i) => writer.add(i));
    await tick();
    expect({ lone, batches: batches.map((b) => b.items) }).toEqual({ lone: [1, 2], batches: [] });
    open[1]();
    await alone[1];
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[3, 4, 5]]);
    open[0]();
    await alone[0];
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[3, 4, 5], [6, 7]]);
    batches[0].open();
    batches[1].open();
    await expect(Promise.all(waiting)).resolves.toEqual([30, 40, 50, 60, 70]);
  });

  it.each([
    { name: 'a batch written together gives each item its outcome', end: (g: Gate) => g.open(), alone: async (i: number) => i, expected: [10, 20, 30], lone: [], shared: [] },
    {
      name: 'a batch that fails together is written item by item, each with its own outcome',
      end: (g: Gate) => g.fail(new Error('duplicate in the batch')),
      alone: async (i: number) => (i === 2 ? Promise.reject(new Error('duplicate')) : i),
      expected: [1, 'duplicate', 3], lone: [1, 2, 3], shared: ['duplicate in the batch'],
    },
    {
      name: 'a batch answered with too few outcomes is written item by item rather than left hanging',
      end: (g: Gate) => g.open([10]),
      alone: async (i: number) => i,
      expected: [1, 2, 3], lone: [1, 2, 3], shared: ['grouped write: 1 outcomes for 3 items'],
    },
    {
      name: 'a real fault fails every item',
      end: (g: Gate) => g.fail(new Error('database gone')),
      alone: async (i: number) => (i <= 3 ? Promise.reject(new Error('database gone')) : i),
      expected: ['database gone', 'database gone', 'database gone'], lone: [1, 2, 3], shared: ['database gone'],
    },
  ])('$name', async ({ end, alone, expected, lone: loneExpected, shared }) => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const setup = controlledWriter(async (item) => {
      if (item === 0) {
        await held;
        return 0;
      }
      return alone(item);
    });
    const { writer, batches, lone, sharedFailures } = setup;
    const blockers = [writer.add(0), writer.add(0)];
    const items = [writer.add(1), writer.add(2), writer.add(3)];
    release();
    await Promise.all(blockers);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    end(batches[0]);
    expect(await settle(items)).toEqual(expected);
    expect({ lone: lone.filter((i) => i !== 0), shared: sharedFailures }).toEqual({ lone: loneExpected, shared });
    // The writer goes on after a failed batch (the database back).
    await expect(writer.add(9)).resolves.toBe(9);
  });
});
