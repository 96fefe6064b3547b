import { groupedLoader } from '../src/core/grouped-loader';

// The webhooks' hot look-ups (inbound threads, status callbacks by sid) share statements only
// under load: alone a load runs at once, and loads arriving while batches are in flight wait
// for one of them and then go together. Nothing is cached between loads.

interface Gate {
  keys: readonly number[];
  open(): void;
}

function controlledBatches() {
  const batches: Gate[] = [];
  const loader = groupedLoader(async (keys: readonly number[]) => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    batches.push({ keys, open });
    await gate;
    return keys.map((k) => k * 10);
  }, { maxInFlight: 2, maxBatch: 3 });
  return { loader, batches };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('groupedLoader', () => {
  it('runs a lone load at once, in a batch of its own', async () => {
    const { loader, batches } = controlledBatches();
    const answer = loader.load(7);
    await tick();
    expect(batches.map((b) => b.keys)).toEqual([[7]]);
    batches[0].open();
    await expect(answer).resolves.toBe(70);
  });

  it('holds the loads that arrive while maxInFlight batches run, then sends them together, at most maxBatch a statement', async () => {
    const { loader, batches } = controlledBatches();
    const first = [loader.load(1), loader.load(2)];
    await tick();
    const second = loader.load(3);
    await tick();
    expect(batches.map((b) => b.keys)).toEqual([[1, 2], [3]]);

    const waiting = [4, 5, 6, 7, 8].map((k) => loader.load(k));
    await tick();
    expect(batches).toHaveLength(2);

    batches[0].open();
    await Promise.all(first);
    await tick();
    expect(batches.map((b) => b.keys)).toEqual([[1, 2], [3], [4, 5, 6]]);
    batches[1].open();
    await second;
    await tick();
    expect(batches.map((b) => b.keys)).toEqual([[1, 2], [3], [4, 5, 6], [7, 8]]);
    batches[2].open();
    batches[3].open();
    await expect(Promise.all(waiting)).resolves.toEqual([40, 50, 60, 70, 80]);
  });

  it('reads again for every load: nothing is cached', async () => {
    const { loader, batches } = controlledBatches();
    const a = loader.load(9);
    await tick();
    batches[0].open();
    await a;
    const b = loader.load(9);
    await tick();
    expect(batches).toHaveLength(2);
    batches[1].open();
    await expect(b).resolves.toBe(90);
  });

  it('lets a failed batch fail its own loads and frees its place for the next', async () => {
    let calls = 0;
    const loader = groupedLoader(async (keys: readonly number[]) => {
      calls += 1;
      if (calls === 1) throw new Error('database away');
      return keys.map((k) => k);
    }, { maxInFlight: 1, maxBatch: 10 });
    await expect(loader.load(1)).rejects.toThrow('database away');
    await expect(loader.load(2)).resolves.toBe(2);
  });
});
