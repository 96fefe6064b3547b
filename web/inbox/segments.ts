// The reply box's counter, counted as the contract counts (and as src/messaging/segments.ts does
// on the server): GSM-7 takes 160 septets in one segment and 153 a segment beyond, the
// extension characters two septets each; any other character makes the body UCS-2, 70 and 67
// UTF-16 code units.

const GSM7_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';

const LIMITS = {
  GSM7: { single: 160, multi: 153 },
  UCS2: { single: 70, multi: 67 },
} as const;

export type Encoding = keyof typeof LIMITS;

export interface SegmentCount {
  encoding: Encoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2: what the segment limits are counted in. */
  units: number;
  segments: number;
  /** Units left before one more segment is needed. */
  remaining: number;
}

function gsm7Septets(body: string): number | null {
  let septets = 0;
  for (const char of body) {
    if (GSM7_BASIC.includes(char)) septets += 1;
    else if (GSM7_EXTENSION.includes(char)) septets += 2;
    else return null;
  }
  return septets;
}

export function countSegments(body: string): SegmentCount {
  const septets = gsm7Septets(body);
  const encoding: Encoding = septets === null ? 'UCS2' : 'GSM7';
  const units = septets ?? body.length;
  const { single, multi } = LIMITS[encoding];
  const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi);
  const capacity = segments <= 1 ? single : segments * multi;
  return { encoding, units, segments, remaining: capacity - units };
}

/** The counter's words, e.g. "42/160 · 1 segment · GSM-7". */
export function describeCount(count: SegmentCount): string {
  const capacity = count.units + count.remaining;
  const segments = `${count.segments} segment${count.segments === 1 ? '' : 's'}`;
  return `${count.units}/${capacity} · ${segments} · ${count.encoding === 'GSM7' ? 'GSM-7' : 'UCS-2'}`;
}
