export interface GroupedWrites<T, R> {
  /** Writes several items in one transaction, answering each one's outcome in order; throws to roll it back. */
  together(items: T[]): Promise<R[]>;
  /** Writes one item on its own: a lone item, and each item of a batch that failed together. */
  alone(item: T): Promise<R>;
}

/**
 * Group commit for a webhook's writes: alone, an item is written at once, on its own; under
 * load, the items that arrive while `maxInFlight` batches are in flight wait and then share the
 * next one (at most `maxBatch`). Should a shared write fail (a duplicate that raced in, a row
 * moved meanwhile, a deadlock), each of its items is written alone, where it learns its own
 * outcome; a real fault, such as the database gone, then fails each of them. Each caller's
 * promise settles only when its own item's outcome is known, so a webhook still answers after
 * its write is committed.
 */
export class GroupedWriter<T, R> {
  private readonly queue: Array<{ item: T; resolve(outcome: R): void; reject(error: unknown): void }> = [];
  private inFlight = 0;

  constructor(
    private readonly writes: GroupedWrites<T, R>,
    private readonly options: { maxInFlight: number; maxBatch: number; onSharedFailure?(error: unknown, items: number): void },
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
        .then((outcomes) => batch.forEach((waiting, i) => {
          const outcome = outcomes[i];
          if (outcome.status === 'fulfilled') waiting.resolve(outcome.value);
          else waiting.reject(outcome.reason);
        }))
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }

  private async write(items: T[]): Promise<Array<PromiseSettledResult<R>>> {
    if (items.length > 1) {
      try {
        const outcomes = await this.writes.together(items);
        if (outcomes.length !== items.length) throw new Error(`grouped write: ${outcomes.length} outcomes for ${items.length} items`);
        return outcomes.map((value) => ({ status: 'fulfilled', value }));
      } catch (error) {
        this.options.onSharedFailure?.(error, items.length);
      }
    }
    return Promise.allSettled(items.map((item) => this.writes.alone(item)));
  }
}
