import type { Context } from '../core/auth';
import { alignById } from '../core/loaders';
import type { GroupService } from './group.service';
import type { Sender } from './sender.entity';
import type { SenderService } from './sender.service';
import type { SubscriptionGroup } from './subscription-group.entity';

/** A group by id, batched per request so a page of members or messages costs one query. */
export function loadGroup(ctx: Context, groups: GroupService, id: number): Promise<SubscriptionGroup | null> {
  if (!ctx.loaders) return groups.findById(id);
  return ctx.loaders.get<number, SubscriptionGroup | null>('group', async (ids) => alignById(ids, await groups.findByIds(ids))).load(id);
}

export function loadSender(ctx: Context, senders: SenderService, id: number): Promise<Sender | null> {
  if (!ctx.loaders) return senders.findById(id);
  return ctx.loaders.get<number, Sender | null>('sender', async (ids) => alignById(ids, await senders.findByIds(ids))).load(id);
}
