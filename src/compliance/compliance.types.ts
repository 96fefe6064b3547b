import { Field, InputType, Int, ObjectType } from 'type-graphql';

@InputType()
export class FrequencyCapInput {
  @Field(() => Int, { description: 'At least 1: to send nothing, unsubscribe the recipient.' })
  maxMessages: number;

  @Field(() => Int, { description: 'The rolling window, in seconds (86400: 24 hours), 1 to 31622400.' })
  windowSeconds: number;
}

@ObjectType({ description: 'At most maxMessages campaign messages to one recipient in any rolling windowSeconds.' })
export class FrequencyCap {
  @Field(() => Int)
  maxMessages: number;

  @Field(() => Int)
  windowSeconds: number;
}

@ObjectType({ description: 'One rule of the law that holds for a number.' })
export class LegalHoursRuleInfo {
  @Field({ description: 'e.g. US, US-FL, or an operator region\'s name.' })
  name: string;

  @Field()
  description: string;

  @Field({ description: 'The statute or regulation, or the operator\'s configuration.' })
  source: string;

  @Field({ description: 'HH:MM local time.' })
  start: string;

  @Field({ description: 'HH:MM local time.' })
  end: string;

  @Field(() => [Int], { description: 'Weekdays with no window (0 = Sunday).' })
  closedDays: number[];

  @Field(() => FrequencyCap, { nullable: true, description: 'The cap the rule sets on campaign messages, if any.' })
  cap: FrequencyCap | null;
}

@ObjectType({ description: 'When the law lets a marketing message reach a number, and why.' })
export class SendingHours {
  @Field({ description: 'E.164.' })
  phoneNumber: string;

  @Field(() => String, { nullable: true })
  country: string | null;

  @Field({ description: "The recipient's time zone (by area code where the country has several)." })
  timeZone: string;

  @Field({ description: 'The local time at the instant asked about, as YYYY-MM-DD HH:MM and weekday.' })
  localTime: string;

  @Field({ description: 'False where LEGAL_RULES=off: the rules are shown but not applied.' })
  enforced: boolean;

  @Field({ description: 'True when a campaign message may go now (campaign windows aside).' })
  open: boolean;

  @Field(() => String, { nullable: true, description: 'The window that applies, HH:MM-HH:MM: the latest opening and earliest closing of the rules; null where none holds.' })
  window: string | null;

  @Field(() => [Int])
  closedDays: number[];

  @Field(() => Date, { nullable: true, description: 'The next instant the window is open (the instant asked about when open now).' })
  nextOpening: Date | null;

  @Field(() => [LegalHoursRuleInfo])
  rules: LegalHoursRuleInfo[];

  @Field(() => [FrequencyCap], { description: "The law's caps on campaign messages to the number." })
  caps: FrequencyCap[];

  @Field({ description: 'The same, in words.' })
  explanation: string;
}

@ObjectType({ description: "When a launched campaign's queued messages are planned to go, at its senders' rates and within the send windows." })
export class CampaignEstimate {
  @Field(() => Date, { nullable: true, description: 'When the last queued message is planned to leave; null when none is queued.' })
  estimatedCompletion: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the validity period runs out (launch + validitySeconds); null without one.' })
  expiresAt: Date | null;

  @Field(() => Int, { description: 'Queued messages planned to leave after expiresAt: they will end FAILED (EXPIRED) unless they go sooner.' })
  unreachableBeforeExpiry: number;

  @Field({ description: 'True when every queued message is planned to leave before expiresAt (or there is no validity period).' })
  reachableBeforeExpiry: boolean;
}
