import type { EntityManager } from 'typeorm';
import { placeholders } from '../core/sql';

export interface ReplyCounts {
  replies: number;
  optOuts: number;
}

/**
 * Adds replies and opt-outs to campaigns in one statement, in the caller's transaction (the
 * inbound writer's, so that a reply and its count commit together).
 */
export async function addReplyCounts(manager: EntityManager, counts: Map<number, ReplyCounts>): Promise<void> {
  if (!counts.size) return;
  const ids = [...counts.keys()];
  const by = (pick: (c: ReplyCounts) => number) => `CASE id ${ids.map((id) => `WHEN ${Number(id)} THEN ${Number(pick(counts.get(id)!))}`).join(' ')} END`;
  await manager.query(`UPDATE campaigns SET replies = replies + ${by((c) => c.replies)}, opt_outs = opt_outs + ${by((c) => c.optOuts)} WHERE id IN (${placeholders(ids.length)})`, ids);
}
