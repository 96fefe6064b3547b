import DataLoader from 'dataloader';

/**
 * Per-request batching: field resolvers of a list (a page of conversations asking for each
 * one's contact) share one loader per name, so the page costs one query per relation, not one
 * per row. Domains define their loaders (name + batch function); core stays domain-free.
 *
 * HTTP requests cache within the request. A subscription's context lives as long as the
 * subscription, so there the loaders batch within one event's execution but never cache,
 * or an inbox would show a contact's name as it was when the inbox connected.
 */
export class Loaders {
  private readonly byName = new Map<string, DataLoader<unknown, unknown>>();

  constructor(private readonly cache = true) {}

  get<K, V>(name: string, batch: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>): DataLoader<K, V> {
    let loader = this.byName.get(name) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(batch, { cache: this.cache });
      this.byName.set(name, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}

/** Orders rows fetched with `id IN (...)` as the keys asked, null where a row is missing. */
export function alignById<T extends { id: number }>(keys: readonly number[], rows: T[]): Array<T | null> {
  const found = new Map(rows.map((row) => [row.id, row]));
  return keys.map((key) => found.get(key) ?? null);
}
