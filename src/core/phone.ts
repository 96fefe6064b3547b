import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** A number parsed once at the edge: E.164 plus the region libphonenumber assigns it. */
export interface ParsedPhone {
  /** E.164 when the input parsed, else the input trimmed. */
  e164: string;
  /** ISO region, or null when the number belongs to none (e.g. +882) or did not parse. */
  country: string | null;
  valid: boolean;
  /** libphonenumber's type where known: MOBILE, FIXED_LINE, TOLL_FREE, ... */
  type?: string;
}

const REGIONS = new Set<string>(getCountries());

export function isKnownRegion(code: string): boolean {
  return REGIONS.has(code);
}

export function knownRegions(): string[] {
  return [...REGIONS].sort();
}

export function callingCodeOf(region: string): string {
  return getCountryCallingCode(region as CountryCode);
}

/**
 * Reads a number in any common format. Numbers without '+' are read in defaultCountry;
 * "00" and "011" international prefixes are understood through it too.
 */
export function parsePhone(input: string, defaultCountry?: string | null): ParsedPhone {
  const text = input.trim();
  const region = defaultCountry && REGIONS.has(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  const parsed = text ? parsePhoneNumberFromString(text, region) : undefined;
  if (!parsed) return { e164: text, country: null, valid: false };
  const valid = parsed.isValid();
  return {
    e164: parsed.number,
    country: parsed.country ?? null,
    valid,
    type: valid ? parsed.getType() : undefined,
  };
}

/** An E.164 prefix: '+' and 1 to 14 digits. */
export function isE164Prefix(prefix: string): boolean {
  return /^\+[1-9]\d{0,13}$/.test(prefix);
}
