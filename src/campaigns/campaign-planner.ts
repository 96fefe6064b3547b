import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../core/logger';
import { PlanningStatus } from './campaign-plan.entity';
import type { CampaignPlanRepository } from './campaign-plan.repository';
import type { CampaignRepository } from './campaign.repository';

/** Where a planning stands, as its row says after the last chunk this instance committed. */
export interface PlanState {
  campaignId: number;
  afterMembership: number;
  lastMembership: number;
  planned: number;
  /** Sender id -> messages paced so far. */
  senderSlots: Record<string, number>;
  startedAt: Date;
}

/** One chunk's messages, made ready while the chunk before it is being written. */
export interface PreparedChunk {
  /** Message rows, in the order the source's insert takes them. */
  rows: unknown[][];
  /** Fewer members than asked were left: this chunk ends the planning. */
  exhausted: boolean;
  /** The highest membership id read (the launch's last one when none was); the cursor moves to it. */
  lastMembership: number;
  senderSlots: Record<string, number>;
}

/** What the planner asks of the launch: read and plan the next members, and store their messages. */
export interface ChunkSource {
  /** The members after `state.afterMembership` (at most `limit`, none past `state.lastMembership`); null when the campaign is gone. */
  prepare(state: PlanState, limit: number): Promise<PreparedChunk | null>;
  insert(manager: EntityManager, rows: unknown[][]): Promise<void>;
  /** After the last chunk: COMPLETED when nothing is left to send. */
  finished(campaignId: number): Promise<unknown>;
}

export interface PlannerOptions {
  /** Members planned per chunk, each chunk one transaction. */
  chunk: number;
  /** How long an instance holds a planning without committing a chunk before another may take it. */
  leaseMs: number;
  /** Chunks written at once, each in a transaction of its own (1 on SQLite). */
  writers: number;
}

class PlanLost extends Error {}
class WaitedTooLong extends Error {}

/**
 * How long a written chunk waits, its locks held, for the chunk before it to commit. The wait is
 * ours, not the database's, so its deadlock detector cannot see a cycle through it (another
 * transaction waiting for this chunk's locks while holding what the chunk before needs): past
 * this, the chunk rolls back, freeing its locks, and is written again once the one before it
 * has committed. A chunk takes well under a second when nothing stands in its way.
 */
const BEFORE_PATIENCE_MS = 5_000;

/** Members planned before launchCampaign answers: well within its second on a busy database. */
const FIRST_CHUNK = 500;

/**
 * Plans launched campaigns in the background, chunk by chunk over the group's memberships (a
 * keyset cursor). Each chunk's messages and the cursor move in one transaction, guarded by a
 * compare-and-set on the cursor and the lease: a crash loses or doubles no recipient, a cancel
 * (the plan row turns CANCELLED) stops it at the next chunk, and any instance takes over a
 * planning whose lease ran out.
 */
export class CampaignPlanner {
  readonly owner = `plan:${randomUUID()}`;
  private readonly running = new Map<number, Promise<void>>();
  private readonly listeners: Array<(campaignId: number) => void> = [];
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: CampaignPlanRepository,
    private readonly campaigns: CampaignRepository,
    private readonly source: ChunkSource,
    private readonly options: PlannerOptions,
    private readonly log: Logger,
  ) {}

  /** Called after each chunk this instance commits (progress). */
  onChunk(listener: (campaignId: number) => void): void {
    this.listeners.push(listener);
  }

  /** The planning row of a campaign being launched, leased to this instance (in the launch's transaction). */
  async open(manager: EntityManager, campaignId: number, audience: number, lastMembership: number, at: Date): Promise<PlanState> {
    await this.plans.insert(manager, {
      campaignId, status: PlanningStatus.PLANNING, afterMembership: 0, lastMembership, audience, planned: 0, senderSlots: '{}',
      leaseOwner: this.owner, leaseUntil: this.leaseEnd(), startedAt: at, finishedAt: null,
    });
    return { campaignId, afterMembership: 0, lastMembership, planned: 0, senderSlots: {}, startedAt: at };
  }

  /**
   * Plans a first, small chunk now (a small audience is then planned whole when launchCampaign
   * answers, as before), and the rest in the background; true when planning goes on.
   */
  async begin(state: PlanState): Promise<boolean> {
    const run = new PlanRun(this, state, this.options.writers);
    // The first chunk is committed before the answer.
    const more = await run.step(Math.min(FIRST_CHUNK, this.options.chunk))
      .then(async (more) => (await run.written()) && more)
      .catch((error) => this.failed(state.campaignId, error));
    if (more) this.track(state.campaignId, run.toEnd());
    return more;
  }

  /** Takes over plannings whose lease ran out (a crashed or stopped instance's); answers how many. */
  async resumeAbandoned(now = new Date()): Promise<number> {
    if (this.stopping) return 0;
    let taken = 0;
    for (const campaignId of await this.plans.abandoned(now, 20)) {
      if (this.running.has(campaignId) || this.stopping) continue;
      const state = await this.take(campaignId, now);
      if (!state) continue;
      taken++;
      this.log.info({ campaignId, planned: state.planned }, 'resuming the planning of a campaign');
      this.track(campaignId, new PlanRun(this, state, this.options.writers).toEnd());
    }
    return taken;
  }

  /** Resolves once no planning runs on this instance (each ended, was cancelled or lost its lease). */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  /** Stops after the chunks being written, handing the leases back so that another instance goes on at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.settled();
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  prepare(state: PlanState, limit = this.options.chunk): Promise<PreparedChunk | null> {
    return this.source.prepare(state, limit);
  }

  /**
   * Writes a chunk and commits it if the planning is still this instance's and where it was
   * left; false otherwise. `before` is the commit of the chunk before this one, still in flight:
   * this chunk's rows are written meanwhile, but its cursor moves only once that one committed
   * (the compare-and-set needs the cursor where this chunk starts), and not at all if it did not.
   */
  async commit(state: PlanState, chunk: PreparedChunk, finished: boolean, before: Promise<boolean> | null = null): Promise<boolean> {
    const now = new Date();
    const planned = state.planned + chunk.rows.length;
    try {
      await this.dataSource.transaction(async (manager) => {
        if (chunk.rows.length) await this.source.insert(manager, chunk.rows);
        if (before && !(await patiently(before))) throw new PlanLost();
        const moved = await this.plans.advance(manager, state.campaignId, this.owner, state.afterMembership, {
          afterMembership: chunk.lastMembership, planned, senderSlots: JSON.stringify(chunk.senderSlots), leaseUntil: this.leaseEnd(), finishedAt: finished ? now : null,
        });
        if (moved !== 1) throw new PlanLost();
        if (finished) await this.campaigns.setRecipients(manager, state.campaignId, planned);
      });
    } catch (error) {
      if (error instanceof PlanLost) return false;
      // Rolled back: written again, alone, once the chunk before it has committed.
      if (error instanceof WaitedTooLong) return (await before!) && this.commit(state, chunk, finished);
      throw error;
    }
    for (const listener of this.listeners) listener(state.campaignId);
    if (finished) await this.source.finished(state.campaignId);
    return true;
  }

  async release(campaignId: number): Promise<void> {
    await this.plans.release(campaignId, this.owner);
  }

  failed(campaignId: number, error: unknown): false {
    // The lease runs out and this or another instance takes the planning up again where it stopped.
    this.log.error({ err: error, campaignId }, 'campaign planning stopped on an error; it resumes once its lease runs out');
    return false;
  }

  private async take(campaignId: number, now: Date): Promise<PlanState | null> {
    const taken = await this.plans.take(campaignId, this.owner, this.leaseEnd(), now);
    if (taken !== 1) return null;
    const plan = await this.plans.find(campaignId);
    if (!plan || plan.leaseOwner !== this.owner) return null;
    return {
      campaignId, afterMembership: plan.afterMembership, lastMembership: plan.lastMembership, planned: plan.planned,
      senderSlots: JSON.parse(plan.senderSlots) as Record<string, number>, startedAt: plan.startedAt,
    };
  }

  private leaseEnd(): Date {
    return new Date(Date.now() + this.options.leaseMs);
  }

  private track(campaignId: number, work: Promise<void>): void {
    const tracked = work
      .catch((error) => this.failed(campaignId, error))
      .then(() => undefined)
      .finally(() => this.running.delete(campaignId));
    this.running.set(campaignId, tracked);
  }
}

/** The chunk before's outcome, or WaitedTooLong past BEFORE_PATIENCE_MS. */
async function patiently(before: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const impatience = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitedTooLong()), BEFORE_PATIENCE_MS);
  });
  try {
    return await Promise.race([before, impatience]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One instance's run through one planning. The next chunk is read and planned while the ones
 * before it are written (it only needs the cursor and the pacing, known before the write), and up
 * to `writers` chunks are written at once, each committing after the one before it: the
 * database's writes overlap with each other and with our CPU.
 */
class PlanRun {
  private next: Promise<PreparedChunk | null> | null = null;
  /** Commits in flight, oldest first. */
  private writing: Array<Promise<boolean>> = [];

  constructor(
    private readonly planner: CampaignPlanner,
    private state: PlanState,
    private readonly writers: number,
  ) {}

  /**
   * Starts writing one chunk (after waiting for a writer to be free); true when more remain and
   * the planning is still ours as far as the commits so far tell.
   */
  async step(limit?: number): Promise<boolean> {
    while (this.writing.length >= this.writers) {
      if (!(await this.writing.shift()!)) return false;
    }
    const chunk = await (this.next ?? this.planner.prepare(this.state, limit));
    this.next = null;
    if (!chunk) return false;
    const finished = chunk.exhausted || chunk.lastMembership >= this.state.lastMembership;
    const after: PlanState = { ...this.state, afterMembership: chunk.lastMembership, planned: this.state.planned + chunk.rows.length, senderSlots: chunk.senderSlots };
    if (!finished) {
      this.next = this.planner.prepare(after);
      // Read ahead: its failure surfaces when the next step awaits it.
      this.next.catch(() => undefined);
    }
    const before = this.writing.at(-1) ?? null;
    const committing = this.planner.commit(this.state, chunk, finished, before);
    // A failure surfaces where the commit is awaited: below, or in the chunk after it.
    committing.catch(() => undefined);
    this.writing.push(committing);
    this.state = after;
    return !finished;
  }

  /** Waits for every commit in flight; true when all of them committed, throws when one failed. */
  async written(): Promise<boolean> {
    const results = await Promise.allSettled(this.writing);
    this.writing = [];
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    return results.every((result) => result.status === 'fulfilled' && result.value);
  }

  async toEnd(): Promise<void> {
    try {
      // Each chunk starts on a turn of its own: a synchronous driver (SQLite) would otherwise hold
      // the event loop until the whole audience is planned.
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (!(await this.step())) {
          await this.written();
          return;
        }
        if (this.planner.isStopping) {
          if (await this.written()) await this.planner.release(this.state.campaignId);
          return;
        }
      }
    } finally {
      // On a failure, the chunks after it roll back (each waits for the one before): the run
      // ends once they have, so that a stop never closes the database under one of them.
      await Promise.allSettled([...this.writing, ...(this.next ? [this.next] : [])]);
    }
  }
}
