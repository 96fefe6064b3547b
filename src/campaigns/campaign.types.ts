import { Field, Int, ObjectType } from 'type-graphql';
import { connectionType, type Page } from '../core/connection';
import { SendErrorCode } from '../core/send-error';
import { Campaign } from './campaign.entity';
import { PlanningStatus } from './campaign-plan.entity';

@ObjectType({ description: "A daily window in the recipient's local time, e.g. 09:00 to 21:00." })
export class SendWindow {
  @Field({ description: 'HH:MM, 24-hour.' })
  start: string;

  @Field()
  end: string;
}

@ObjectType()
export class CountryStats {
  @Field()
  country: string;

  @Field(() => Int)
  recipients: number;

  @Field(() => Int)
  delivered: number;

  @Field(() => Int)
  failed: number;

  @Field(() => Int)
  rejected: number;
}

@ObjectType()
export class ReasonCount {
  @Field(() => SendErrorCode)
  code: SendErrorCode;

  @Field(() => Int)
  count: number;
}

@ObjectType()
export class CampaignStats {
  @Field(() => Int, { description: "The group's SUBSCRIBED members at launch; each gets one message, sent or rejected." })
  recipients: number;

  @Field(() => Int)
  queued: number;

  @Field(() => Int)
  sending: number;

  @Field(() => Int)
  sent: number;

  @Field(() => Int)
  delivered: number;

  @Field(() => Int)
  undelivered: number;

  @Field(() => Int)
  failed: number;

  @Field(() => Int, { description: 'Refused before sending: geo permissions, blocks, opt-outs, no sender.' })
  rejected: number;

  @Field(() => Int)
  replies: number;

  @Field(() => Int)
  optOuts: number;

  @Field(() => [CountryStats])
  byCountry: CountryStats[];

  @Field(() => [ReasonCount])
  rejectedByReason: ReasonCount[];

  @Field(() => PlanningStatus, { nullable: true, description: 'Where the planning of its messages stands; null before launch.' })
  planningStatus: PlanningStatus | null;

  @Field(() => Int, { description: 'Recipients planned so far (each has its message, queued or rejected): planned of audience.' })
  planned: number;

  @Field(() => Int, { nullable: true, description: "The group's SUBSCRIBED members at launch, the total the planning works through; null before launch." })
  audience: number | null;
}

export const CampaignConnection = connectionType('Campaign', Campaign);
export type CampaignConnection = Page<Campaign>;
