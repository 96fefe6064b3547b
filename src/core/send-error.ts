import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Why a message was refused or failed; one value per reason, shared by every domain that sends. */
export enum SendErrorCode {
  INVALID_PHONE_NUMBER = 'INVALID_PHONE_NUMBER',
  GEO_PERMISSION_DENIED = 'GEO_PERMISSION_DENIED',
  PREFIX_BLOCKED = 'PREFIX_BLOCKED',
  ACCOUNT_SUSPENDED = 'ACCOUNT_SUSPENDED',
  RECIPIENT_UNSUBSCRIBED = 'RECIPIENT_UNSUBSCRIBED',
  NO_ELIGIBLE_SENDER = 'NO_ELIGIBLE_SENDER',
  INVALID_BODY = 'INVALID_BODY',
  PROVIDER_ERROR = 'PROVIDER_ERROR',
  CAMPAIGN_CANCELLED = 'CAMPAIGN_CANCELLED',
  FREQUENCY_CAPPED = 'FREQUENCY_CAPPED',
  EXPIRED = 'EXPIRED',
  OUTSIDE_LEGAL_HOURS = 'OUTSIDE_LEGAL_HOURS',
}

registerEnumType(SendErrorCode, {
  name: 'SendErrorCode',
  valuesConfig: {
    INVALID_PHONE_NUMBER: { description: "The 'To' number is not a valid phone number (Twilio 21211)." },
    GEO_PERMISSION_DENIED: { description: "The recipient's region is not enabled in the account's geo permissions (Twilio 21408)." },
    PREFIX_BLOCKED: { description: "The recipient's number starts with a blocked prefix." },
    ACCOUNT_SUSPENDED: { description: 'The account or its parent is suspended.' },
    RECIPIENT_UNSUBSCRIBED: { description: 'The recipient has opted out of the group (Twilio 21610).' },
    NO_ELIGIBLE_SENDER: { description: "No sender in the group may send to the recipient's region (Twilio 21606)." },
    INVALID_BODY: { description: 'The body is empty or longer than 1600 characters (Twilio 21617).' },
    PROVIDER_ERROR: { description: 'The provider refused or failed the message; providerCode holds its code.' },
    CAMPAIGN_CANCELLED: { description: 'The campaign was cancelled before this message left.' },
    FREQUENCY_CAPPED: { description: "The recipient has had as many campaign messages in a rolling window as a frequency cap allows (the account's, the group's, or the law's)." },
    EXPIRED: { description: "The campaign's validitySeconds ran out while the message waited in the queue." },
    OUTSIDE_LEGAL_HOURS: { description: "The campaign's send window never meets the hours the law allows for the recipient (see sendingHours)." },
  },
});

export const CAMPAIGN_CANCELLED_MESSAGE = 'the campaign was cancelled before this message left';
export const EXPIRED_MESSAGE = "the campaign's validity period ran out while the message waited in the queue";

/** Twilio's own code for the refusals it also makes. */
export const PROVIDER_CODES: Partial<Record<SendErrorCode, number>> = {
  [SendErrorCode.INVALID_PHONE_NUMBER]: 21211,
  [SendErrorCode.GEO_PERMISSION_DENIED]: 21408,
  [SendErrorCode.RECIPIENT_UNSUBSCRIBED]: 21610,
  [SendErrorCode.NO_ELIGIBLE_SENDER]: 21606,
  [SendErrorCode.INVALID_BODY]: 21617,
};

@ObjectType()
export class SendError {
  @Field(() => SendErrorCode)
  code: SendErrorCode;

  @Field(() => Int, { nullable: true, description: "The provider's numeric code where one applies, e.g. 21408." })
  providerCode: number | null;

  @Field()
  message: string;
}

export function sendError(code: SendErrorCode, message: string, providerCode?: number | null): SendError {
  const error = new SendError();
  error.code = code;
  error.message = message;
  error.providerCode = providerCode === undefined ? (PROVIDER_CODES[code] ?? null) : providerCode;
  return error;
}
