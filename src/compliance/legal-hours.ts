// The law's hours and caps for marketing messages, as data: the one table the rules are read
// from (legal-window.ts applies it; README "The law's hours and caps" lists it for people).
//
// A rule holds for a number when the number's country and area code match. Its window is in
// the recipient's local time (time zone by area code, src/campaigns/time-zones.ts); where
// several rules hold, the strictest of each wins: the latest opening, the earliest closing,
// every closed weekday, every cap. Public holidays some states also close (AL, LA, MS, RI, UT)
// are not modelled: add them as operator regions if you need them.
//
// Sources, read in November 2025 (not legal advice; check with counsel):
// - statutes as cited on each rule;
// - state tables: https://www.dropcowboy.com/state-compliance (updated 2025-11-01) and
//   https://blog.clickpointsoftware.com/telemarketing-calling-hours-by-state (reviewed 2025-07).

export interface LegalCap {
  /** At most this many campaign messages to one recipient from one account... */
  max: number;
  /** ...in any rolling window of this many seconds. */
  windowSeconds: number;
}

export interface LegalHoursRule {
  /** Short name shown by sendingHours, e.g. "US-FL". */
  name: string;
  /** The region in words and the law that sets it. */
  description: string;
  source: string;
  /** ISO country of the numbers the rule covers. */
  country: string;
  /** North American area codes (NPA) presumed in the region; absent: the whole country. */
  areaCodes?: readonly string[];
  /** E.164 prefixes the rule covers instead of a country's area codes (operator regions). */
  prefixes?: readonly string[];
  /** Local time of day, HH:MM, 24-hour; start before end (the law's windows are daytime). */
  start: string;
  end: string;
  /** Local weekdays with no window at all (0 = Sunday). */
  closedDays?: readonly number[];
  cap?: LegalCap;
}

const DAY = 86_400;
const THREE_A_DAY: LegalCap = { max: 3, windowSeconds: DAY };

export const LEGAL_HOURS: readonly LegalHoursRule[] = [
  {
    // 47 CFR 64.1200(c)(1): no telephone solicitation before 8 am or after 9 pm at the called
    // party's location; the FCC reads texts as calls (Satterfield v. Simon & Schuster, 9th Cir. 2009).
    name: 'US', description: 'United States, federal (TCPA)', source: '47 U.S.C. 227; 47 CFR 64.1200(c)(1)',
    country: 'US', start: '08:00', end: '21:00',
  },
  {
    // Florida Telephone Solicitation Act as amended by SB 1120 (2021): 8 am to 8 pm, and no more
    // than 3 commercial solicitation calls or texts to a person in 24 hours on the same subject.
    name: 'US-FL', description: 'Florida (Florida Telephone Solicitation Act)', source: 'Fla. Stat. 501.616(6)(a)-(b)',
    country: 'US', areaCodes: ['239', '305', '321', '324', '352', '386', '407', '448', '561', '645', '656', '689', '727', '728', '754', '772', '786', '813', '850', '863', '904', '941', '954'],
    start: '08:00', end: '20:00', cap: THREE_A_DAY,
  },
  {
    // Oklahoma Telephone Solicitation Act of 2022 (HB 3168): 8 am to 8 pm, 3 in 24 hours.
    name: 'US-OK', description: 'Oklahoma (Telephone Solicitation Act of 2022)', source: 'Okla. Stat. tit. 15, 775C.4',
    country: 'US', areaCodes: ['405', '539', '572', '580', '918'],
    start: '08:00', end: '20:00', cap: THREE_A_DAY,
  },
  {
    // Maryland Stop the Spam Calls Act (2023, in force 2024-01-01): 8 am to 8 pm, 3 in 24 hours.
    name: 'US-MD', description: 'Maryland (Stop the Spam Calls Act)', source: 'Md. Code, Com. Law 14-4503',
    country: 'US', areaCodes: ['227', '240', '301', '410', '443', '667'],
    start: '08:00', end: '20:00', cap: THREE_A_DAY,
  },
  {
    // No solicitation before 8 am or after 8 pm, nor on Sunday.
    name: 'US-MS', description: 'Mississippi', source: 'Miss. Code 77-3-725',
    country: 'US', areaCodes: ['228', '601', '662', '769'], start: '08:00', end: '20:00', closedDays: [0],
  },
  {
    // No solicitation before 8 am or after 8 pm.
    name: 'US-WA', description: 'Washington', source: 'RCW 80.36.390(2)',
    country: 'US', areaCodes: ['206', '253', '360', '425', '509', '564'], start: '08:00', end: '20:00',
  },
  {
    // SB 1058 (2023): 9 am to 8 pm.
    name: 'US-CT', description: 'Connecticut', source: 'Conn. Gen. Stat. 42-288a(c)',
    country: 'US', areaCodes: ['203', '475', '860', '959'], start: '09:00', end: '20:00',
  },
  // The rules below come from the state tables named above; their citations are those tables'
  // and were not read in the statutes themselves.
  {
    name: 'US-AL', description: 'Alabama', source: 'Ala. Code 8-19C-3',
    country: 'US', areaCodes: ['205', '251', '256', '334', '483', '659', '938'], start: '08:00', end: '20:00', closedDays: [0],
  },
  {
    name: 'US-LA', description: 'Louisiana', source: 'La. R.S. 45:844.17',
    country: 'US', areaCodes: ['225', '318', '337', '457', '504', '985'], start: '08:00', end: '20:00', closedDays: [0],
  },
  {
    name: 'US-MA', description: 'Massachusetts', source: '201 CMR 12.02; M.G.L. c. 159C, 3',
    country: 'US', areaCodes: ['339', '351', '413', '508', '617', '774', '781', '857', '978'], start: '08:00', end: '20:00',
  },
  {
    name: 'US-KY', description: 'Kentucky', source: 'KRS 367.46955(15)',
    country: 'US', areaCodes: ['270', '364', '502', '606', '859'], start: '10:00', end: '21:00',
  },
  {
    name: 'US-MI', description: 'Michigan', source: 'MCL 445.111b',
    country: 'US', areaCodes: ['231', '248', '269', '313', '517', '586', '616', '679', '734', '810', '906', '947', '989'], start: '09:00', end: '21:00',
  },
  {
    name: 'US-MN', description: 'Minnesota', source: 'Minn. Stat. 325E.27',
    country: 'US', areaCodes: ['218', '320', '507', '612', '651', '763', '924', '952'], start: '09:00', end: '21:00',
  },
  {
    name: 'US-NV', description: 'Nevada', source: 'NRS 228.590',
    country: 'US', areaCodes: ['702', '725', '775'], start: '09:00', end: '20:00',
  },
  {
    name: 'US-NM', description: 'New Mexico', source: 'N.M. Stat. 57-12-22',
    country: 'US', areaCodes: ['505', '575'], start: '09:00', end: '21:00',
  },
];
