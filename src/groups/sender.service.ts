import type { Principal } from '../core/auth';
import { isDuplicateKeyError } from '../core/database';
import { badInput, notFound } from '../core/errors';
import { decode } from '../core/ids';
import { ImmutableFacts } from '../core/immutable-facts';
import type { GroupService } from './group.service';
import type { Sender } from './sender.entity';
import type { SenderFacts, SenderRepository } from './sender.repository';
import { validateSender, type SenderInputShape } from './sender-rules';

export class SenderService {
  /** senderId -> its group and number: a sender never moves to another group nor changes number. */
  private readonly facts = new ImmutableFacts<SenderFacts>((ids) => this.repo.factsOf(ids));

  constructor(
    private readonly repo: SenderRepository,
    private readonly groups: GroupService,
  ) {}

  findById(id: number): Promise<Sender | null> {
    return this.repo.findById(id);
  }

  async findByIds(ids: readonly number[]): Promise<Sender[]> {
    return ids.length ? this.repo.findByIds(ids) : [];
  }

  /** senderId -> its group and number, removed senders included, from memory after the first look-up. */
  factsOf(senderIds: readonly number[]): Promise<Map<number, SenderFacts>> {
    return this.facts.of(senderIds);
  }

  /** A group's senders still in service, oldest first. */
  activeSendersOf(groupId: number): Promise<Sender[]> {
    return this.repo.activeSendersOf(groupId);
  }

  async activeSendersOfGroups(groupIds: readonly number[]): Promise<Sender[]> {
    return groupIds.length ? this.repo.activeSendersOfGroups(groupIds) : [];
  }

  async add(principal: Principal, rawGroupId: string, input: SenderInputShape): Promise<Sender> {
    const group = await this.groups.requireVisible(principal, rawGroupId);
    const valid = validateSender(input);
    const taken = await this.repo.holderOf(valid.activeValue);
    if (taken) throw duplicate(valid.value, taken.groupId === group.id);
    try {
      return await this.repo.add({ ...valid, groupId: group.id, accountId: group.accountId, createdAt: new Date(), removedAt: null });
    } catch (error) {
      // Two adds of one value at once: the unique index decides, the loser gets the same answer.
      if (isDuplicateKeyError(error)) throw duplicate(valid.value, false);
      throw error;
    }
  }

  /**
   * Removal keeps the row (messages and conversations point at it) and frees its value for
   * another group; routing no longer picks it, sticky or not.
   */
  async remove(principal: Principal, rawId: string): Promise<boolean> {
    const id = decode('snd', rawId);
    const sender = id === null ? null : await this.findById(id);
    if (!sender || sender.removedAt || !(await this.groups.getVisible(principal, sender.groupId))) throw notFound('sender', rawId);
    await this.repo.markRemoved(sender.id, new Date());
    return true;
  }
}

function duplicate(value: string, sameGroup: boolean): Error {
  return badInput('value', sameGroup ? `${value} is already a sender of this group` : `${value} already belongs to a subscription group: a sender value belongs to one group`);
}
