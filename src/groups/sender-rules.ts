import { requireRegion } from '../accounts/account.service';
import { badInput } from '../core/errors';
import { callingCodeOf, parsePhone } from '../core/phone';
import { SenderType } from './sender.entity';

export interface ValidSender {
  type: SenderType;
  value: string;
  /** The key that makes a value belong to one group system-wide (unique index). */
  activeValue: string;
  country: string;
  twoWay: boolean;
  maxPerSecond: number;
}

export interface SenderInputShape {
  type: SenderType;
  value: string;
  country?: string | null;
  maxPerSecond?: number | null;
}

const NO_ALPHANUMERIC = new Set(['US', 'CA']);

/** The contract's defaults: short code 100, toll-free 3, long code 1 in US/CA and 10 elsewhere, alphanumeric 10. */
export function defaultMaxPerSecond(type: SenderType, country: string): number {
  switch (type) {
    case SenderType.SHORT_CODE: return 100;
    case SenderType.TOLL_FREE: return 3;
    case SenderType.LONG_CODE: return NO_ALPHANUMERIC.has(country) ? 1 : 10;
    case SenderType.ALPHANUMERIC: return 10;
  }
}

/**
 * The normalised key of a sender value: E.164 for numbers, digits for short codes, upper case
 * for alphanumeric IDs (so "Acme" and "ACME" are one value on both databases).
 */
export function senderValueKey(raw: string): string {
  const text = raw.trim();
  if (/^\+?[\d\s\-().]+$/.test(text)) {
    const digits = text.replace(/[\s\-().]/g, '');
    if (digits.startsWith('+')) {
      const phone = parsePhone(digits);
      return phone.e164;
    }
    return digits;
  }
  return text.replace(/\s+/g, ' ').toUpperCase();
}

export function validateSender(input: SenderInputShape): ValidSender {
  const raw = input.value.trim();
  if (!raw) throw badInput('value', 'must not be empty');
  switch (input.type) {
    case SenderType.LONG_CODE:
    case SenderType.TOLL_FREE: {
      const phone = parsePhone(raw);
      if (!raw.replace(/[\s\-().]/g, '').startsWith('+') || !phone.valid || !phone.country) {
        throw badInput('value', `"${raw}" is not a valid E.164 number (e.g. +14155550100)`);
      }
      if (input.type === SenderType.TOLL_FREE && phone.type && phone.type !== 'TOLL_FREE') {
        throw badInput('value', `${phone.e164} is not a toll-free number (libphonenumber reads it as ${phone.type})`);
      }
      if (input.type === SenderType.LONG_CODE && phone.type === 'TOLL_FREE') {
        throw badInput('type', `${phone.e164} is a toll-free number: add it as TOLL_FREE`);
      }
      const country = input.country ? requireRegion('country', input.country) : phone.country;
      if (country !== phone.country && !(input.type === SenderType.TOLL_FREE && sharesNanpTollFree(phone.e164, country))) {
        throw badInput('country', `${phone.e164} belongs to ${phone.country}, not ${country}`);
      }
      return finish(input, phone.e164, phone.e164, country, true);
    }
    case SenderType.SHORT_CODE: {
      if (!/^\d{3,8}$/.test(raw)) throw badInput('value', `"${raw}" is not a short code: 3 to 8 digits`);
      const country = requiredCountry(input, 'a short code');
      return finish(input, raw, raw, country, true);
    }
    case SenderType.ALPHANUMERIC: {
      if (!/^[A-Za-z0-9 ]{1,11}$/.test(raw)) throw badInput('value', `"${raw}" is not an alphanumeric sender ID: 1 to 11 letters, digits and spaces`);
      if (!/[A-Za-z]/.test(raw)) throw badInput('value', `"${raw}" needs at least one letter to be an alphanumeric sender ID`);
      const country = requiredCountry(input, 'an alphanumeric sender ID');
      if (NO_ALPHANUMERIC.has(country)) throw badInput('country', `${country} carriers do not accept alphanumeric sender IDs`);
      return finish(input, raw, senderValueKey(raw), country, false);
    }
  }
  throw badInput('type', `unknown sender type ${String(input.type)}`);
}

/**
 * NANP toll-free numbers serve the US and Canada alike, yet libphonenumber assigns them all to
 * the US; an explicit country of +1 lets a Canadian toll-free sender be what it is.
 */
function sharesNanpTollFree(e164: string, country: string): boolean {
  return e164.startsWith('+1') && callingCodeOf(country) === '1';
}

function requiredCountry(input: SenderInputShape, what: string): string {
  if (!input.country?.trim()) throw badInput('country', `is required for ${what}`);
  return requireRegion('country', input.country);
}

function finish(input: SenderInputShape, value: string, activeValue: string, country: string, twoWay: boolean): ValidSender {
  const maxPerSecond = input.maxPerSecond ?? defaultMaxPerSecond(input.type, country);
  if (!Number.isFinite(maxPerSecond) || maxPerSecond < 0.01 || maxPerSecond > 10000) {
    throw badInput('maxPerSecond', 'must be from 0.01 to 10000');
  }
  return { type: input.type, value, activeValue, country, twoWay, maxPerSecond };
}
