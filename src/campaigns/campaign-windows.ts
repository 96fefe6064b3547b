import { In, type DataSource } from 'typeorm';
import { Campaign, CampaignStatus } from './campaign.entity';
import { nextOpening, parseWindow } from './send-window';
import { timeZoneOf } from './time-zones';

export interface WindowedMessage {
  campaignId: number | null;
  to: string;
  country: string | null;
}

export interface CampaignVerdicts {
  /** message index -> the next opening of its campaign's send window, where it is closed now. */
  closedWindows: Map<number, number>;
  /** Indexes of messages whose campaign was cancelled. */
  cancelled: Set<number>;
}

/**
 * The campaign's say at hand-over: a message of a cancelled campaign never leaves, and one whose
 * recipient's window closed while it waited in the queue goes back to wait for the next opening.
 */
export class CampaignWindows {
  constructor(private readonly dataSource: DataSource) {}

  async judge(messages: readonly WindowedMessage[], now: number): Promise<CampaignVerdicts> {
    const ids = [...new Set(messages.map((m) => m.campaignId).filter((id): id is number => id !== null))];
    const closed = new Map<number, number>();
    const cancelled = new Set<number>();
    if (!ids.length) return { closedWindows: closed, cancelled };
    const campaigns = await this.dataSource.getRepository(Campaign).find({
      select: { id: true, status: true, sendWindowStart: true, sendWindowEnd: true },
      where: { id: In(ids) },
    });
    const cancelledIds = new Set(campaigns.filter((c) => c.status === CampaignStatus.CANCELLED).map((c) => c.id));
    const windows = new Map(campaigns.filter((c) => c.sendWindowStart && c.sendWindowEnd).map((c) => [c.id, parseWindow(c.sendWindowStart!, c.sendWindowEnd!)]));
    messages.forEach((message, index) => {
      if (message.campaignId !== null && cancelledIds.has(message.campaignId)) cancelled.add(index);
      const window = message.campaignId === null ? undefined : windows.get(message.campaignId);
      if (!window) return;
      const opening = nextOpening(window, timeZoneOf(message.to, message.country), now);
      if (opening > now) closed.set(index, opening);
    });
    return { closedWindows: closed, cancelled };
  }
}

/** The condition, on a messages row's campaign column, that its campaign was not cancelled: read in the send queue's claim itself. */
export function campaignNotCancelled(column: string): string {
  return `(${column} IS NULL OR ${column} NOT IN (SELECT id FROM campaigns WHERE status = '${CampaignStatus.CANCELLED}'))`;
}
