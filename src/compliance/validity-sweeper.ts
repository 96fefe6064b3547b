import type { CampaignService } from '../campaigns/campaign.service';
import type { Logger } from '../core/logger';

const SWEEP_EVERY_MS = 2000;

/**
 * Fails as EXPIRED the queued messages of campaigns whose validitySeconds ran out, also those
 * that never reach the hand-over (a send window that does not open in time, a slow sender):
 * the guard fails the ones it meets, this finds the rest.
 */
export class ValiditySweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly campaigns: CampaignService,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => void (await this.sweep())).catch((error) => this.log.error({ err: error }, 'could not expire queued messages; retrying'));
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; answers how many messages it failed. */
  async sweep(now = new Date()): Promise<number> {
    let failed = 0;
    for (const campaign of await this.campaigns.expiredAt(now)) failed += await this.campaigns.expireQueued(campaign.id);
    if (failed) this.log.info({ failed }, 'queued messages expired');
    return failed;
  }
}
