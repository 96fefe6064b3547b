import { badInput } from '../core/errors';

export interface DailyWindow {
  /** Minutes after local midnight. */
  start: number;
  end: number;
}

export function parseWindow(start: string, end: string): DailyWindow {
  const parse = (field: string, value: string) => {
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
    if (!match) throw badInput(field, `"${value}" is not a time of day as HH:MM (24-hour)`);
    return Number(match[1]) * 60 + Number(match[2]);
  };
  const window = { start: parse('sendWindow.start', start), end: parse('sendWindow.end', end) };
  if (window.start === window.end) throw badInput('sendWindow.end', 'must differ from start: the window would be empty');
  return window;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in minutes (Intl knows every rule and DST change). */
export function offsetMinutes(zone: string, at: number): number {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60_000);
}

function inWindow(window: DailyWindow, minute: number): boolean {
  return window.start < window.end ? minute >= window.start && minute < window.end : minute >= window.start || minute < window.end;
}

/**
 * The first instant at or after `at` that falls in the window, in the zone's local time.
 * Overnight windows (22:00 to 06:00) are understood.
 */
export function nextOpening(window: DailyWindow, zone: string, at: number): number {
  const offset = offsetMinutes(zone, at);
  const local = at + offset * 60_000;
  const minute = Math.floor((local % 86_400_000) / 60_000);
  if (inWindow(window, minute)) return at;
  const dayStart = local - (local % 86_400_000);
  let openingLocal = dayStart + window.start * 60_000;
  if (openingLocal <= local) openingLocal += 86_400_000;
  // Convert back with the offset in force at the opening itself (DST may change in between). When
  // the clocks skip the opening's local time that night, the window opens as they jump, if it is
  // still open then; else the next day.
  const first = openingLocal - offset * 60_000;
  const second = openingLocal - offsetMinutes(zone, first) * 60_000;
  const [early, late] = [Math.min(first, second), Math.max(first, second)];
  const opening = [early, clockChange(zone, early, late), late].find((t) => t >= at && inWindow(window, localMinute(zone, t)));
  return opening ?? nextOpening(window, zone, Math.max(late, at) + 60_000);
}

function localMinute(zone: string, at: number): number {
  const local = at + offsetMinutes(zone, at) * 60_000;
  return Math.floor((local % 86_400_000) / 60_000);
}

/** The first minute in (from, to] with the offset in force at `to`, when the zone's offset changes in between. */
function clockChange(zone: string, from: number, to: number): number {
  const target = offsetMinutes(zone, to);
  let [lo, hi] = [from, to];
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (offsetMinutes(zone, mid) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}
