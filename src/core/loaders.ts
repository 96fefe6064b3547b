import DataLoader from 'dataloader';

/**
 * The per-request loaders, one per relation a field resolver loads, so that a page of rows
 * costs one query per relation, not one per row. Resolvers reach them as `ctx.loaders`. Core
 * names no domain, so the set itself is declared where the services are wired
 * (src/loaders.ts), which merges its fields into this interface.
 */
export interface RequestLoaders {}

export interface LoaderOptions {
  /**
   * HTTP requests cache within the request. A subscription's context lives as long as the
   * subscription, so there the loaders batch within one event's execution but never cache,
   * or an inbox would show a contact's name as it was when the inbox connected.
   */
  cache: boolean;
}

/** Rows by id: one `id IN (...)` per batch, each key answered with its row or null. */
export function byIdLoader<T extends { id: number }>(findByIds: (ids: readonly number[]) => Promise<T[]>, options: LoaderOptions): DataLoader<number, T | null> {
  return new DataLoader<number, T | null>(async (ids) => {
    const found = new Map((await findByIds(ids)).map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  }, options);
}

/**
 * The rows of many parents (a group's senders, a contact's memberships): one query per batch,
 * each key answered with its own rows, in the order the query gave them.
 */
export function byParentLoader<K, T>(findByParents: (keys: readonly K[]) => Promise<T[]>, parentOf: (row: T) => K, options: LoaderOptions): DataLoader<K, T[]> {
  return new DataLoader<K, T[]>(async (keys) => {
    const rows = new Map<K, T[]>(keys.map((key) => [key, []]));
    for (const row of await findByParents(keys)) rows.get(parentOf(row))?.push(row);
    return keys.map((key) => rows.get(key)!);
  }, options);
}
