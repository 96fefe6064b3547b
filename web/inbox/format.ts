/** A message's time as an agent scans it: the time of day for today, else the date. */
export function shortTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  const sameDay = at.toDateString() === now.toDateString();
  return sameDay
    ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : at.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
