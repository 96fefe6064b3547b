import { In, type DataSource, type EntityManager } from 'typeorm';
import type { Page } from '../core/connection';
import { byId, keysetPage } from '../core/pagination';
import { execute, placeholders, sqlDate } from '../core/sql';
import { bulkInsert } from './bulk-insert.repository';
import { Membership, SubscriptionStatus, type MembershipSource } from './membership.entity';

/** A SUBSCRIBED member of a group with the contact fields a campaign's message is made from, as the database gives them. */
export interface SubscribedRecipientRow {
  membership_id: number;
  contact_id: number;
  phone_number: string;
  country: string | null;
  first_name: string | null;
  last_name: string | null;
  attributes: string | null;
}

/** The memberships table (with contacts, where a read needs both). */
export class MembershipRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get memberships() {
    return this.dataSource.getRepository(Membership);
  }

  find(groupId: number, contactId: number, manager: EntityManager = this.dataSource.manager): Promise<Membership | null> {
    return manager.findOneBy(Membership, { groupId, contactId });
  }

  async insert(manager: EntityManager, membership: Omit<Membership, 'id'>): Promise<void> {
    await manager.insert(Membership, membership);
  }

  /** Moves a membership from the status it was read with; answers the rows changed (0: another change came first). */
  moveStatus(manager: EntityManager, id: number, from: SubscriptionStatus, to: { status: SubscriptionStatus; source: MembershipSource; pendingUntil: Date | null; updatedAt: Date }): Promise<number> {
    const date = (d: Date | null) => (d ? sqlDate(this.dataSource, d) : null);
    return execute(manager, 'UPDATE memberships SET status = ?, source = ?, pending_until = ?, updated_at = ? WHERE id = ? AND status = ?',
      [to.status, to.source, date(to.pendingUntil), date(to.updatedAt), id, from]);
  }

  async statusOf(groupId: number, contactId: number): Promise<SubscriptionStatus | null> {
    const row = await this.memberships.findOne({ select: { status: true }, where: { groupId, contactId } });
    return row?.status ?? null;
  }

  /** Statuses of many contacts in one group, 1,000 contacts a query. */
  async statusesOf(groupId: number, contactIds: readonly number[]): Promise<Map<number, SubscriptionStatus>> {
    const result = new Map<number, SubscriptionStatus>();
    for (let i = 0; i < contactIds.length; i += 1000) {
      const rows = await this.memberships.find({ select: { contactId: true, status: true }, where: { groupId, contactId: In(contactIds.slice(i, i + 1000)) } });
      for (const row of rows) result.set(row.contactId, row.status);
    }
    return result;
  }

  /** The memberships of many contacts in one query, oldest first. */
  async ofContacts(contactIds: readonly number[]): Promise<Membership[]> {
    return contactIds.length ? this.memberships.find({ where: { contactId: In([...contactIds]) }, order: { id: 'ASC' } }) : [];
  }

  count(groupId: number, status?: SubscriptionStatus | null): Promise<number> {
    return this.memberships.countBy(status ? { groupId, status } : { groupId });
  }

  /** A group's members in id order (the order they joined), keyset-paged. */
  page(groupId: number, status: SubscriptionStatus | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Page<Membership>> {
    const query = this.memberships.createQueryBuilder('m').where('m.groupId = :groupId', { groupId });
    if (status) query.andWhere('m.status = :status', { status });
    return keysetPage(query, byId('m', 'ASC'), { first, after });
  }

  /** Of these contacts, those that are members of the group already, whatever their status. */
  async membersAmong(manager: EntityManager, groupId: number, contactIds: readonly number[]): Promise<Set<number>> {
    if (!contactIds.length) return new Set();
    const rows: Array<{ contact_id: number | string }> = await manager.query(
      `SELECT contact_id FROM memberships WHERE group_id = ? AND contact_id IN (${placeholders(contactIds.length)})`,
      [groupId, ...contactIds]);
    return new Set(rows.map((r) => Number(r.contact_id)));
  }

  /** Inserts memberships in one statement, skipping those that exist (made meanwhile by a keyword or an API call). */
  async insertNew(manager: EntityManager, rows: Array<Omit<Membership, 'id'>>): Promise<void> {
    await bulkInsert(manager, Membership, {
      rows,
      properties: ['groupId', 'contactId', 'status', 'source', 'pendingUntil', 'confirmationsSent', 'createdAt', 'updatedAt'],
      onConflict: 'ignore',
    });
  }

  /** Of these contacts, those whose membership of the group was made by `source` at `createdAt` (by one import's chunk). */
  async madeAt(manager: EntityManager, groupId: number, source: MembershipSource, createdAt: Date, contactIds: readonly number[]): Promise<number[]> {
    if (!contactIds.length) return [];
    const rows: Array<{ contact_id: number | string }> = await manager.query(
      `SELECT contact_id FROM memberships WHERE group_id = ? AND source = ? AND created_at = ? AND contact_id IN (${placeholders(contactIds.length)})`,
      [groupId, source, sqlDate(this.dataSource, createdAt), ...contactIds]);
    return rows.map((r) => Number(r.contact_id));
  }

  /** Counts one more confirmation request of a PENDING membership that has had fewer than `max`; 1 when claimed, 0 otherwise. */
  claimConfirmation(groupId: number, contactId: number, pendingUntil: Date, max: number): Promise<number> {
    return execute(this.dataSource,
      'UPDATE memberships SET confirmations_sent = confirmations_sent + 1, pending_until = ? WHERE group_id = ? AND contact_id = ? AND status = ? AND confirmations_sent < ?',
      [sqlDate(this.dataSource, pendingUntil), groupId, contactId, SubscriptionStatus.PENDING, max]);
  }

  /** PENDING memberships whose request expired by `now`, the longest expired first. */
  pendingDue(now: Date, limit: number): Promise<Array<Pick<Membership, 'groupId' | 'contactId'>>> {
    return this.memberships.createQueryBuilder('m')
      .select(['m.groupId', 'm.contactId'])
      .where('m.status = :status AND m.pendingUntil <= :now', { status: SubscriptionStatus.PENDING, now })
      .orderBy('m.pendingUntil', 'ASC')
      .take(limit)
      .getMany();
  }

  /** How many SUBSCRIBED members a group has, and the highest of their membership ids (0 when none). */
  async subscribedAudience(manager: EntityManager, groupId: number): Promise<{ count: number; lastMembership: number }> {
    const [row]: Array<{ n: number | string; last: number | string | null }> = await manager.query(
      'SELECT COUNT(*) AS n, MAX(id) AS last FROM memberships WHERE group_id = ? AND status = ?', [groupId, SubscriptionStatus.SUBSCRIBED]);
    return { count: Number(row.n), lastMembership: Number(row.last ?? 0) };
  }

  /** The group's SUBSCRIBED members with ids in (afterMembership, upToMembership], in id order, with their contacts: one statement. */
  subscribedRecipients(groupId: number, afterMembership: number, upToMembership: number, limit: number): Promise<SubscribedRecipientRow[]> {
    return this.dataSource.query(
      `SELECT m.id AS membership_id, c.id AS contact_id, c.phone_number, c.country, c.first_name, c.last_name, c.attributes
       FROM memberships m JOIN contacts c ON c.id = m.contact_id
       WHERE m.group_id = ? AND m.status = ? AND m.id > ? AND m.id <= ? ORDER BY m.id LIMIT ?`,
      [groupId, SubscriptionStatus.SUBSCRIBED, afterMembership, upToMembership, limit]);
  }
}
