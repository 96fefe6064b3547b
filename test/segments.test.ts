import { segmentsOf } from '../src/core/segments';

const gsm = (n: number) => 'a'.repeat(n);
const ucs = (n: number) => 'ж'.repeat(n);

describe('segments as the carrier counts them', () => {
  it.each([
    // body, encoding, segments
    ['', gsm(0), 'GSM7', 1],
    ['160 GSM-7 characters', gsm(160), 'GSM7', 1],
    ['161 GSM-7 characters', gsm(161), 'GSM7', 2],
    ['306 GSM-7 characters (2 x 153)', gsm(306), 'GSM7', 2],
    ['307 GSM-7 characters', gsm(307), 'GSM7', 3],
    ['459 GSM-7 characters (3 x 153)', gsm(459), 'GSM7', 3],
    ['460 GSM-7 characters', gsm(460), 'GSM7', 4],
    ['80 extension characters (2 septets each) in one segment', '€'.repeat(80), 'GSM7', 1],
    ['81 extension characters over two', '€'.repeat(81), 'GSM7', 2],
    ['GSM-7 letters with accents of its alphabet', 'éèùìòÇØøÅåÆæßÉÄÖÑÜäöñüà', 'GSM7', 1],
    ['70 UCS-2 characters', ucs(70), 'UCS2', 1],
    ['71 UCS-2 characters', ucs(71), 'UCS2', 2],
    ['134 UCS-2 characters (2 x 67)', ucs(134), 'UCS2', 2],
    ['135 UCS-2 characters', ucs(135), 'UCS2', 3],
    ['one non-GSM character makes 160 characters UCS-2', gsm(159) + 'ł', 'UCS2', 3],
    ['an emoji counts two UTF-16 units', '😀'.repeat(35), 'UCS2', 1],
    ['36 emoji are 72 units', '😀'.repeat(36), 'UCS2', 2],
  ])('%s', (_name, body, encoding, segments) => {
    expect(segmentsOf(body)).toEqual({ encoding, segments });
  });
});
