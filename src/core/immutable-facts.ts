import { LRUCache } from 'lru-cache';

/**
 * Facts that never change once written (a sender's group, a group's account), read from the
 * database once and then answered from memory: no instance can hold a stale one. Bounded all
 * the same; ids that do not exist are not remembered.
 */
export class ImmutableFacts<V extends {}> {
  private readonly known: LRUCache<number, V>;

  constructor(private readonly load: (ids: number[]) => Promise<Map<number, V>>, max = 100_000) {
    this.known = new LRUCache<number, V>({ max });
  }

  async of(ids: readonly number[]): Promise<Map<number, V>> {
    const missing = [...new Set(ids)].filter((id) => !this.known.has(id));
    if (missing.length) for (const [id, value] of await this.load(missing)) this.known.set(id, value);
    const result = new Map<number, V>();
    for (const id of ids) {
      const value = this.known.get(id);
      if (value !== undefined) result.set(id, value);
    }
    return result;
  }
}
