import type { SendError } from './model';

// A refused send in the agent's words; the server's own message follows with the specifics.
const REFUSALS: Record<string, string> = {
  RECIPIENT_UNSUBSCRIBED: 'The contact has opted out of this group.',
  GEO_PERMISSION_DENIED: "Sending to the contact's country is not enabled for this account.",
  PREFIX_BLOCKED: "The contact's number starts with a blocked prefix.",
  ACCOUNT_SUSPENDED: 'The account is suspended: nothing can be sent.',
  NO_ELIGIBLE_SENDER: "This conversation's number can no longer send to the contact.",
  INVALID_BODY: 'The message must be 1 to 1600 characters.',
  INVALID_PHONE_NUMBER: "The contact's number is not a valid phone number.",
  PROVIDER_ERROR: 'The carrier refused the message.',
};

export function describeRefusal(error: SendError): string {
  const words = REFUSALS[error.code] ?? 'The message was refused.';
  return `Not sent. ${words} (${error.code}: ${error.message})`;
}
