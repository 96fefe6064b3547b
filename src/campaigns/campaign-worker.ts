import type { Logger } from '../core/logger';
import type { DeliveryEvents } from '../messaging/delivery-events';
import type { CampaignPlanner } from './campaign-planner';
import type { CampaignService } from './campaign.service';

const COMPLETION_DEBOUNCE_MS = 200;
const SCHEDULER_POLL_MS = 1000;

/**
 * Background work of campaigns: fires scheduled campaigns when due (read from the table, so a
 * restart loses none), takes up plannings whose instance stopped or crashed (their lease ran
 * out), and marks campaigns COMPLETED once their last message has moved on.
 */
export class CampaignWorker {
  private readonly touched = new Set<number>();
  private completionTimer: NodeJS.Timeout | null = null;
  private schedulerTimer: NodeJS.Timeout | null = null;
  private running = false;
  private closed = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly campaigns: CampaignService,
    deliveryEvents: DeliveryEvents,
    private readonly log: Logger,
    private readonly planner: CampaignPlanner,
  ) {
    deliveryEvents.onChange((changes) => {
      for (const change of changes) if (change.campaignId !== null) this.touched.add(change.campaignId);
      if (this.touched.size && !this.completionTimer && !this.closed) {
        this.completionTimer = setTimeout(() => this.track(this.checkCompletion()), COMPLETION_DEBOUNCE_MS);
      }
    });
  }

  start(): void {
    this.running = true;
    this.scheduleNext(0);
    // A stop in the middle of a cancellation leaves some of its messages queued.
    this.track(this.campaigns.failQueuedOfCancelled().catch((error) => this.log.error({ err: error }, 'could not fail the queued messages of cancelled campaigns')));
    // A stop between a planning's end and its completion check leaves the campaign SENDING.
    this.track(this.campaigns.completePlanned().catch((error) => this.log.error({ err: error }, 'could not complete the campaigns whose planning ended')));
  }

  /** Re-reads the next scheduled time (a campaign was scheduled). */
  wake(): void {
    if (this.running) this.scheduleNext(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.closed = true;
    if (this.schedulerTimer) clearTimeout(this.schedulerTimer);
    await this.planner.stop();
    await this.busy;
    if (this.completionTimer) {
      clearTimeout(this.completionTimer);
      await this.checkCompletion();
    }
  }

  private scheduleNext(ms: number): void {
    if (this.schedulerTimer) clearTimeout(this.schedulerTimer);
    this.schedulerTimer = setTimeout(() => this.track(this.fireDue()), ms);
  }

  private async fireDue(): Promise<void> {
    if (!this.running) return;
    let wait = SCHEDULER_POLL_MS;
    try {
      const launched = await this.campaigns.launchDue();
      if (launched) this.log.info({ launched }, 'scheduled campaigns launched');
      await this.planner.resumeAbandoned();
      const next = await this.campaigns.nextScheduledAt();
      if (next?.scheduledAt) wait = Math.max(0, Math.min(wait, next.scheduledAt.getTime() - Date.now()));
    } catch (error) {
      this.log.error({ err: error }, 'scheduler: could not launch due campaigns; retrying');
    }
    if (this.running) this.scheduleNext(wait);
  }

  private async checkCompletion(): Promise<void> {
    this.completionTimer = null;
    const ids = [...this.touched];
    this.touched.clear();
    for (const id of ids) {
      try {
        await this.campaigns.completeIfDone(id);
      } catch (error) {
        this.log.error({ err: error, campaignId: id }, 'could not check whether a campaign completed');
      }
    }
  }

  private track(work: Promise<void>): void {
    // Each piece of work logs its own failures; this chain only keeps them in order for stop().
    this.busy = this.busy.then(() => work).catch((error) => this.log.error({ err: error }, 'campaign worker: unexpected failure'));
  }
}
