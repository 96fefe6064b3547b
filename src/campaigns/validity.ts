import { badInput } from '../core/errors';

/** Twilio's ValidityPeriod bounds: at least a second, at most ten hours. */
export const VALIDITY_SECONDS = { min: 1, max: 36_000 };

export function checkValiditySeconds(value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < VALIDITY_SECONDS.min || value > VALIDITY_SECONDS.max) {
    throw badInput('validitySeconds', `must be a whole number of seconds from ${VALIDITY_SECONDS.min} to ${VALIDITY_SECONDS.max} (as Twilio's ValidityPeriod), got ${value}`);
  }
  return value;
}
