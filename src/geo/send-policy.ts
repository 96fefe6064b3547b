import type { ParsedPhone } from '../core/phone';
import { sendError, SendErrorCode, type SendError } from '../core/send-error';

/**
 * Everything the account checks need, loaded once per account so that a campaign of
 * 100,000 recipients is checked in memory.
 */
export interface SendPolicy {
  accountId: number;
  /** The reason when the account or its parent is suspended. */
  suspension: string | null;
  blockedPrefixes: string[];
  enabledCountries: ReadonlySet<string>;
}

/** The body rule of the contract: 1 to 1600 characters. */
export function checkBody(body: string): SendError | null {
  const length = [...body].length;
  if (length === 0) return sendError(SendErrorCode.INVALID_BODY, 'the body is empty');
  if (length > 1600) return sendError(SendErrorCode.INVALID_BODY, `the body has ${length} characters; at most 1600 are sent`);
  return null;
}

/**
 * May this account send to this number? The first failing check of the contract, in its
 * order: suspension, body (when given), number validity, prefix block, geo permission.
 */
export function checkRecipient(policy: SendPolicy, phone: ParsedPhone, body?: string): SendError | null {
  if (policy.suspension !== null) return sendError(SendErrorCode.ACCOUNT_SUSPENDED, `the account is suspended: ${policy.suspension}`);
  if (body !== undefined) {
    const bodyError = checkBody(body);
    if (bodyError) return bodyError;
  }
  if (!phone.valid) return sendError(SendErrorCode.INVALID_PHONE_NUMBER, `"${phone.e164}" is not a valid phone number`);
  const blocked = policy.blockedPrefixes.find((prefix) => phone.e164.startsWith(prefix));
  if (blocked) return sendError(SendErrorCode.PREFIX_BLOCKED, `numbers starting with ${blocked} are blocked`);
  if (!phone.country || !policy.enabledCountries.has(phone.country)) {
    const region = phone.country ?? 'no region';
    return sendError(
      SendErrorCode.GEO_PERMISSION_DENIED,
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${phone.e164} (${region})`,
    );
  }
  return null;
}
