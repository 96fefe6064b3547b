import { badInput } from '../core/errors';
import type { ConsentRecord } from './consent-record.entity';
import type { MembershipSource } from './membership.entity';

/** What made a membership change, as its ledger row keeps it. */
export interface ConsentCause {
  source: MembershipSource;
  /** See ConsentRecord.cause for the forms. */
  cause: string;
  apiKeyId?: number | null;
  consentText?: string | null;
}

export const MAX_CONSENT_TEXT = 2000;

/** The caller's consentText, trimmed; null when absent; refused, naming the field, when too long. */
export function consentTextOf(raw: string | null | undefined, field = 'consentText'): string | null {
  const text = raw?.trim();
  if (!text) return null;
  if ([...text].length > MAX_CONSENT_TEXT) throw badInput(field, `must be at most ${MAX_CONSENT_TEXT} characters (it has ${[...text].length})`, { limit: MAX_CONSENT_TEXT });
  return text;
}

export type NewConsentRecord = Omit<ConsentRecord, 'id' | 'apiKeyId' | 'consentText'> & { apiKeyId?: number | null; consentText?: string | null };
