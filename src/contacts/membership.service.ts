import { In, type DataSource } from 'typeorm';
import { isDuplicateKeyError } from '../core/database';
import { Membership, SubscriptionStatus, type MembershipSource } from './membership.entity';

export class MembershipService {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Membership);
  }

  /** Upsert on (group, contact): safe when a keyword and an API call race for one member. */
  async setStatus(groupId: number, contactId: number, status: SubscriptionStatus, source: MembershipSource): Promise<Membership> {
    const now = new Date();
    const existing = await this.repo.findOneBy({ groupId, contactId });
    if (!existing) {
      try {
        await this.repo.insert({ groupId, contactId, status, source, createdAt: now, updatedAt: now });
        return this.repo.findOneByOrFail({ groupId, contactId });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    await this.repo.update({ groupId, contactId }, { status, source, updatedAt: now });
    return this.repo.findOneByOrFail({ groupId, contactId });
  }

  async statusOf(groupId: number, contactId: number): Promise<SubscriptionStatus | null> {
    const row = await this.repo.findOne({ select: { status: true }, where: { groupId, contactId } });
    return row?.status ?? null;
  }

  /** Statuses of many contacts in one group, for bulk routing. */
  async statusesOf(groupId: number, contactIds: readonly number[]): Promise<Map<number, SubscriptionStatus>> {
    const result = new Map<number, SubscriptionStatus>();
    for (let i = 0; i < contactIds.length; i += 1000) {
      const rows = await this.repo.find({ select: { contactId: true, status: true }, where: { groupId, contactId: In(contactIds.slice(i, i + 1000)) } });
      for (const row of rows) result.set(row.contactId, row.status);
    }
    return result;
  }

  /** A contact's memberships, restricted to the groups given (those the caller may see). */
  membershipsOf(contactId: number): Promise<Membership[]> {
    return this.repo.find({ where: { contactId }, order: { id: 'ASC' } });
  }
}
