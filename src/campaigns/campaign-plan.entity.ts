import { registerEnumType } from 'type-graphql';
import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

export enum PlanningStatus {
  PLANNING = 'PLANNING',
  DONE = 'DONE',
  CANCELLED = 'CANCELLED',
}
registerEnumType(PlanningStatus, {
  name: 'PlanningStatus',
  description: "Where a launched campaign's planning stands: its recipients are resolved and their messages stored in the background, chunk by chunk.",
  valuesConfig: {
    PLANNING: { description: 'Messages are still being stored; those stored already may be sending.' },
    DONE: { description: 'Every recipient has its message (queued or rejected).' },
    CANCELLED: { description: 'The campaign was cancelled before its planning ended.' },
  },
});

/**
 * A launched campaign's planning, one row per campaign: how far it went through the group's
 * memberships (a keyset cursor, moved in the same transaction as each chunk's messages), the
 * senders' pacing so far, and the lease of the instance planning it (any instance takes over an
 * expired one, as the send queue claims its rows).
 */
@Entity('campaign_plans')
@Index('IDX_campaign_plans_status_lease', ['status', 'leaseUntil'])
export class CampaignPlan {
  @PrimaryColumn({ type: 'int' })
  @ForeignKey('campaigns')
  campaignId: number;

  @Column({ type: 'varchar', length: 16 })
  status: PlanningStatus;

  /** Memberships up to this id are planned. */
  @Column({ type: 'int', default: 0 })
  afterMembership: number;

  /** The group's highest membership id at launch: members who join later are not in this campaign. */
  @Column({ type: 'int' })
  lastMembership: number;

  /** SUBSCRIBED members at launch (those who leave before their chunk is planned are not planned). */
  @Column({ type: 'int' })
  audience: number;

  @Column({ type: 'int', default: 0 })
  planned: number;

  /** JSON: sender id -> messages paced so far, so that a resumed planning spaces the next ones after them. */
  @Column({ type: 'text' })
  senderSlots: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  leaseOwner: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  leaseUntil: Date | null;

  /** The launch: the pacing counts from it. */
  @Column({ type: 'datetime', precision: 3 })
  startedAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  finishedAt: Date | null;
}
