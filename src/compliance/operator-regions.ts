import type { LegalHoursRule } from './legal-hours';

/**
 * The regions an operator adds to the law's table (LEGAL_HOURS_REGIONS, a JSON array), checked
 * once at start: each names E.164 prefixes, a daytime window and, optionally, closed weekdays
 * and a cap. Throws an Error naming the entry and field; config.ts turns it into a ConfigError.
 *
 *   [{"name": "FR", "prefixes": ["+33"], "start": "10:00", "end": "20:00", "closedDays": [0],
 *     "cap": {"max": 2, "windowSeconds": 86400}, "source": "Code de la consommation L223-1"}]
 */
export function parseOperatorRegions(raw: string | undefined): LegalHoursRule[] {
  if (raw === undefined || raw.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error('is not JSON: expected an array of regions');
  }
  if (!Array.isArray(value)) throw new Error('must be a JSON array of regions');
  return value.map((entry, index) => parseRegion(entry, `[${index}]`));
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function parseRegion(entry: unknown, at: string): LegalHoursRule {
  if (!entry || typeof entry !== 'object') throw new Error(`${at} must be an object`);
  const e = entry as Record<string, unknown>;
  const text = (field: string, optional = false) => {
    const v = e[field];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || !v.trim()) throw new Error(`${at}.${field} must be a non-empty string`);
    return v.trim();
  };
  const name = text('name')!;
  const prefixes = e.prefixes;
  if (!Array.isArray(prefixes) || !prefixes.length || !prefixes.every((p) => typeof p === 'string' && /^\+\d{1,14}$/.test(p))) {
    throw new Error(`${at}.prefixes must be a non-empty array of E.164 prefixes such as "+33" or "+1212"`);
  }
  const start = text('start')!;
  const end = text('end')!;
  if (!HHMM.test(start)) throw new Error(`${at}.start must be HH:MM (24-hour), got "${start}"`);
  if (!HHMM.test(end)) throw new Error(`${at}.end must be HH:MM (24-hour), got "${end}"`);
  if (end <= start) throw new Error(`${at}.end must be after start: the law's windows are daytime, not overnight`);
  const closedDays = e.closedDays;
  if (closedDays !== undefined && (!Array.isArray(closedDays) || !closedDays.every((d) => Number.isInteger(d) && d >= 0 && d <= 6))) {
    throw new Error(`${at}.closedDays must be an array of weekdays 0 (Sunday) to 6`);
  }
  const cap = e.cap as Record<string, unknown> | undefined;
  if (cap !== undefined && (!cap || !isPositiveInt(cap.max) || !isPositiveInt(cap.windowSeconds))) {
    throw new Error(`${at}.cap must be {"max": n, "windowSeconds": s} with whole numbers of at least 1`);
  }
  return {
    name, description: text('description', true) ?? `${name} (operator region)`, source: text('source', true) ?? 'operator configuration (LEGAL_HOURS_REGIONS)',
    country: '', prefixes: prefixes as string[], start, end,
    ...(closedDays ? { closedDays: closedDays as number[] } : {}),
    ...(cap ? { cap: { max: Number(cap.max), windowSeconds: Number(cap.windowSeconds) } } : {}),
  };
}

function isPositiveInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}
