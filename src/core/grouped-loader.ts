import DataLoader from 'dataloader';

/**
 * A loader for a webhook's hot look-up: alone, a load runs at once; under load, the loads that
 * arrive while `maxInFlight` batches are in flight wait and then share the next statement. On
 * this kind of machine a statement's cost is mostly its round trip (a socket write each), so
 * a burst of webhooks costs a few statements instead of one each. Nothing is cached: every
 * load reads what is stored when its batch runs.
 */
export function groupedLoader<K, V>(batch: (keys: readonly K[]) => Promise<V[]>, options: { maxInFlight: number; maxBatch: number }): DataLoader<K, V> {
  const waiting: Array<() => void> = [];
  let inFlight = 0;
  return new DataLoader<K, V>(
    async (keys) => {
      try {
        return await batch(keys);
      } finally {
        inFlight -= 1;
        waiting.shift()?.();
      }
    },
    {
      cache: false,
      maxBatchSize: options.maxBatch,
      batchScheduleFn: (dispatch) => {
        const run = () => {
          inFlight += 1;
          dispatch();
        };
        if (inFlight < options.maxInFlight) process.nextTick(run);
        else waiting.push(run);
      },
    },
  );
}
