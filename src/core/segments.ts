// How an SMS body is encoded and into how many segments it is split: pure, so that the inbox
// page's counter can use it too.

export enum MessageEncoding {
  GSM7 = 'GSM7',
  UCS2 = 'UCS2',
}

// The GSM 03.38 default alphabet; the extension characters take two septets each.
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('^{}\\[~]|€\f');

export interface SegmentInfo {
  encoding: MessageEncoding;
  segments: number;
}

/**
 * GSM-7 bodies take 160 septets in one segment and 153 a segment beyond; any other character
 * makes the body UCS-2, 70 and 67 UTF-16 code units.
 */
export function segmentsOf(body: string): SegmentInfo {
  let septets = 0;
  let gsm = true;
  for (const char of body) {
    if (GSM7_BASIC.has(char)) septets += 1;
    else if (GSM7_EXTENDED.has(char)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: MessageEncoding.GSM7, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  const units = body.length;
  return { encoding: MessageEncoding.UCS2, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
