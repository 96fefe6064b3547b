/**
 * Group commit for a webhook's writes: alone, an item is written at once, in a batch of its
 * own; under load, the items that arrive while `maxInFlight` batches are in flight wait and then
 * share the next one (at most `maxBatch`). Each caller's promise settles only when its own item's
 * outcome is known, so a webhook still answers after its write is committed.
 *
 * `write` answers each item's outcome in order; when it throws, every item of the batch fails.
 */
export class GroupedWriter<T, R> {
  private readonly queue: Array<{ item: T; resolve(outcome: R): void; reject(error: unknown): void }> = [];
  private inFlight = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<Array<PromiseSettledResult<R>>>,
    private readonly options: { maxInFlight: number; maxBatch: number },
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.write(batch.map((w) => w.item))
        .then(
          (outcomes) => batch.forEach((waiting, i) => {
            const outcome = outcomes[i];
            if (outcome?.status === 'fulfilled') waiting.resolve(outcome.value);
            else waiting.reject(outcome ? outcome.reason : new Error('grouped write: no outcome for this item'));
          }),
          (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
        )
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }
}
