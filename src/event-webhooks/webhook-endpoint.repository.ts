import { In, type DataSource } from 'typeorm';
import type { Page } from '../core/connection';
import { byId, keysetPage, type PageArgs } from '../core/pagination';
import { WebhookEndpoint } from './webhook-endpoint.entity';

/** The webhook_endpoints rows as the endpoints' rules and the outbox read and change them (the deliverer's leases are in WebhookDeliveryRepository). */
export class WebhookEndpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(WebhookEndpoint);
  }

  byId(id: number): Promise<WebhookEndpoint | null> {
    return this.repo.findOneBy({ id });
  }

  byIdOrFail(id: number): Promise<WebhookEndpoint> {
    return this.repo.findOneByOrFail({ id });
  }

  countOfAccount(accountId: number): Promise<number> {
    return this.repo.countBy({ accountId });
  }

  add(endpoint: WebhookEndpoint): Promise<WebhookEndpoint> {
    return this.repo.save(endpoint);
  }

  async change(id: number, changes: Partial<WebhookEndpoint>): Promise<void> {
    await this.repo.update({ id }, changes);
  }

  /** The endpoints of these accounts (of every account with `null`), by id. */
  page(accountIds: number[] | null, args: PageArgs): Promise<Page<WebhookEndpoint>> {
    const query = this.repo.createQueryBuilder('w');
    if (accountIds) query.where('w.accountId IN (:...scope)', { scope: accountIds.length ? accountIds : [0] });
    return keysetPage(query, byId('w', 'ASC'), args);
  }

  /** The enabled endpoints of these accounts, id and event types only, by id. */
  enabledOf(accountIds: number[]): Promise<WebhookEndpoint[]> {
    return this.repo.find({
      select: { id: true, eventTypes: true },
      where: { accountId: In(accountIds), enabled: true },
      order: { id: 'ASC' },
    });
  }
}
