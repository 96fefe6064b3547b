import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_CANCELLED_MESSAGE, EXPIRED_MESSAGE, SendErrorCode, type SendErrorCode as ErrorCode } from '../core/send-error';
import type { CampaignMessagesRepository } from './campaign-messages.repository';
import type { DeliveryEvents } from './delivery-events';
import { type Message, MessageStatus } from './message.entity';
import type { MessageRepository } from './message.repository';

/**
 * What campaigns need of the messages table, which messaging owns: storing a launch's planned
 * messages and failing a cancelled campaign's queued ones (with their events). Their counts for
 * Campaign.stats come from CampaignMessagesRepository.statusCountsOf, handed to campaigns in services.ts.
 */
export class CampaignMessages {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: CampaignMessagesRepository,
    private readonly messages: MessageRepository,
    private readonly deliveryEvents: DeliveryEvents,
  ) {}

  /** Rows per INSERT statement of a launch, within the bound parameters the database allows. */
  rowsPerInsert(): number {
    return this.repo.rowsPerInsert();
  }

  /** One multi-row INSERT of planned messages (values in PLANNED_COLUMNS order), in the launch's transaction. */
  insertPlanned(manager: EntityManager, rows: unknown[][]): Promise<void> {
    return this.repo.insertPlanned(manager, rows);
  }

  /** Fails up to `limit` QUEUED messages of a cancelled campaign and publishes their events; answers how many. */
  failQueued(campaignId: number, limit: number): Promise<number> {
    return this.failQueuedWith(campaignId, limit, SendErrorCode.CAMPAIGN_CANCELLED, CAMPAIGN_CANCELLED_MESSAGE);
  }

  /** Fails up to `limit` QUEUED messages of a campaign whose validity period ran out (EXPIRED); answers how many. */
  expireQueued(campaignId: number, limit: number): Promise<number> {
    return this.failQueuedWith(campaignId, limit, SendErrorCode.EXPIRED, EXPIRED_MESSAGE);
  }

  /** When the campaign's last QUEUED message is planned to leave, and how many are planned after `deadline`. */
  queuedHorizon(campaignId: number, deadline: Date | null): Promise<{ last: Date | null; after: number }> {
    return this.repo.queuedHorizon(campaignId, deadline);
  }

  private async failQueuedWith(campaignId: number, limit: number, code: ErrorCode, text: string): Promise<number> {
    const due = await this.repo.queued(campaignId, limit);
    if (!due.length) return 0;
    const ids = due.map((r) => Number(r.id));
    const claim = randomUUID();
    const now = new Date();
    const fail = async (manager?: EntityManager) => {
      const mine = await this.repo.failQueued(ids, code, text, claim, now, manager);
      const changes: Array<{ message: Message; previousStatus: MessageStatus }> = [];
      for (let i = 0; i < mine.length; i += 1000) {
        const messages = await this.messages.byIds(mine.slice(i, i + 1000), manager);
        changes.push(...messages.map((message) => ({ message, previousStatus: MessageStatus.QUEUED })));
      }
      if (recorded && manager) await this.deliveryEvents.record(manager, changes, now);
      return changes;
    };
    // A campaign is one account's: with a webhook for its events, they are stored with the change, both or neither.
    const recorded = await this.deliveryEvents.wantsRecord(Number(due[0].account_id));
    const changes = recorded ? await this.dataSource.transaction(fail) : await fail();
    for (let i = 0; i < changes.length; i += 1000) await this.deliveryEvents.publish(changes.slice(i, i + 1000), now, recorded);
    return due.length;
  }

  /** Of these campaigns, those with messages still QUEUED. */
  withQueued(campaignIds: readonly number[]): Promise<number[]> {
    return this.repo.withQueued(campaignIds);
  }

  /** True while a message of the campaign is waiting or being handed over. */
  unfinished(campaignId: number): Promise<boolean> {
    return this.repo.unfinished(campaignId);
  }

  /** SQL that holds while no message of the campaign (`campaignId`: a column or a placeholder) is waiting or being handed over. */
  noneUnfinished(campaignId: string): string {
    return this.repo.noneUnfinished(campaignId);
  }
}
