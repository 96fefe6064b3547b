import { badInput } from '../core/errors';
import type { SubscriptionGroup } from './subscription-group.entity';

/** A group's consent settings, as create and update take them. */
export interface ConsentSettingsInput {
  doubleOptIn?: boolean | null;
  confirmationRequest?: string | null;
  confirmationExpirySeconds?: number | null;
  plainWordsOptOut?: boolean | null;
}

const MAX_CONFIRMATION_REQUEST = 320;
const MAX_EXPIRY_SECONDS = 30 * 24 * 3600;

type ConsentSettings = Partial<Pick<SubscriptionGroup, 'doubleOptIn' | 'confirmationRequest' | 'confirmationExpirySeconds' | 'plainWordsOptOut'>>;

/**
 * The consent settings an input changes, checked: an absent or null switch is left as it is,
 * an empty request or a null expiry goes back to the default (only when given).
 */
export function consentSettings(input: ConsentSettingsInput): ConsentSettings {
  const changes: ConsentSettings = {};
  if (input.doubleOptIn !== undefined && input.doubleOptIn !== null) changes.doubleOptIn = input.doubleOptIn;
  if (input.plainWordsOptOut !== undefined && input.plainWordsOptOut !== null) changes.plainWordsOptOut = input.plainWordsOptOut;
  if (input.confirmationRequest !== undefined) {
    const text = input.confirmationRequest?.trim() || null;
    if (text !== null && [...text].length > MAX_CONFIRMATION_REQUEST) {
      throw badInput('confirmationRequest', `must be at most ${MAX_CONFIRMATION_REQUEST} characters (it has ${[...text].length})`);
    }
    changes.confirmationRequest = text;
  }
  if (input.confirmationExpirySeconds !== undefined) {
    const seconds = input.confirmationExpirySeconds;
    if (seconds !== null && (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRY_SECONDS)) {
      throw badInput('confirmationExpirySeconds', `must be a whole number of seconds from 1 to ${MAX_EXPIRY_SECONDS}`);
    }
    changes.confirmationExpirySeconds = seconds;
  }
  return changes;
}
