// The recipient's time zone, derived from its number: a zone per country, refined by area code
// in the countries that span several zones where the number tells (US, CA, AU, BR, MX).
// Mobile numbers without a geographic prefix take the country's most populous zone.

const COUNTRY_ZONES: Record<string, string> = {
  US: 'America/New_York', CA: 'America/Toronto', PR: 'America/Puerto_Rico', MX: 'America/Mexico_City', BR: 'America/Sao_Paulo',
  AR: 'America/Argentina/Buenos_Aires', CL: 'America/Santiago', CO: 'America/Bogota', PE: 'America/Lima', VE: 'America/Caracas',
  EC: 'America/Guayaquil', UY: 'America/Montevideo', PY: 'America/Asuncion', BO: 'America/La_Paz', CR: 'America/Costa_Rica',
  PA: 'America/Panama', GT: 'America/Guatemala', SV: 'America/El_Salvador', HN: 'America/Tegucigalpa', NI: 'America/Managua',
  DO: 'America/Santo_Domingo', JM: 'America/Jamaica', TT: 'America/Port_of_Spain', BS: 'America/Nassau', BB: 'America/Barbados',
  GB: 'Europe/London', IE: 'Europe/Dublin', PT: 'Europe/Lisbon', ES: 'Europe/Madrid', FR: 'Europe/Paris', BE: 'Europe/Brussels',
  NL: 'Europe/Amsterdam', LU: 'Europe/Luxembourg', DE: 'Europe/Berlin', AT: 'Europe/Vienna', CH: 'Europe/Zurich', IT: 'Europe/Rome',
  DK: 'Europe/Copenhagen', NO: 'Europe/Oslo', SE: 'Europe/Stockholm', FI: 'Europe/Helsinki', IS: 'Atlantic/Reykjavik',
  PL: 'Europe/Warsaw', CZ: 'Europe/Prague', SK: 'Europe/Bratislava', HU: 'Europe/Budapest', SI: 'Europe/Ljubljana', HR: 'Europe/Zagreb',
  RS: 'Europe/Belgrade', BA: 'Europe/Sarajevo', RO: 'Europe/Bucharest', BG: 'Europe/Sofia', GR: 'Europe/Athens', CY: 'Asia/Nicosia',
  MT: 'Europe/Malta', EE: 'Europe/Tallinn', LV: 'Europe/Riga', LT: 'Europe/Vilnius', UA: 'Europe/Kyiv', BY: 'Europe/Minsk',
  MD: 'Europe/Chisinau', RU: 'Europe/Moscow', TR: 'Europe/Istanbul', GE: 'Asia/Tbilisi', AM: 'Asia/Yerevan', AZ: 'Asia/Baku',
  IL: 'Asia/Jerusalem', PS: 'Asia/Hebron', JO: 'Asia/Amman', LB: 'Asia/Beirut', SA: 'Asia/Riyadh', AE: 'Asia/Dubai', QA: 'Asia/Qatar',
  KW: 'Asia/Kuwait', BH: 'Asia/Bahrain', OM: 'Asia/Muscat', IQ: 'Asia/Baghdad', IR: 'Asia/Tehran', EG: 'Africa/Cairo',
  MA: 'Africa/Casablanca', DZ: 'Africa/Algiers', TN: 'Africa/Tunis', NG: 'Africa/Lagos', GH: 'Africa/Accra', KE: 'Africa/Nairobi',
  TZ: 'Africa/Dar_es_Salaam', UG: 'Africa/Kampala', ET: 'Africa/Addis_Ababa', ZA: 'Africa/Johannesburg', SN: 'Africa/Dakar',
  CI: 'Africa/Abidjan', CM: 'Africa/Douala', RW: 'Africa/Kigali', ZM: 'Africa/Lusaka', ZW: 'Africa/Harare', MZ: 'Africa/Maputo',
  IN: 'Asia/Kolkata', PK: 'Asia/Karachi', BD: 'Asia/Dhaka', LK: 'Asia/Colombo', NP: 'Asia/Kathmandu', KZ: 'Asia/Almaty',
  UZ: 'Asia/Tashkent', CN: 'Asia/Shanghai', HK: 'Asia/Hong_Kong', MO: 'Asia/Macau', TW: 'Asia/Taipei', JP: 'Asia/Tokyo',
  KR: 'Asia/Seoul', MN: 'Asia/Ulaanbaatar', TH: 'Asia/Bangkok', VN: 'Asia/Ho_Chi_Minh', KH: 'Asia/Phnom_Penh', MM: 'Asia/Yangon',
  MY: 'Asia/Kuala_Lumpur', SG: 'Asia/Singapore', ID: 'Asia/Jakarta', PH: 'Asia/Manila', AU: 'Australia/Sydney',
  NZ: 'Pacific/Auckland', FJ: 'Pacific/Fiji',
};

function zonesByCode(table: Record<string, string>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [zone, codes] of Object.entries(table)) for (const code of codes.split(' ')) map.set(code, zone);
  return map;
}

// North American area codes outside the country's default zone.
const US_AREAS = zonesByCode({
  'America/Los_Angeles': '206 209 213 253 279 310 323 341 350 360 408 415 424 425 442 458 503 509 510 530 541 559 562 564 619 626 628 650 657 661 669 702 707 714 725 747 760 775 805 818 820 831 840 858 909 916 925 949 951 971',
  'America/Denver': '208 303 307 385 406 505 575 719 720 801 435 915 970 983 986',
  'America/Phoenix': '480 520 602 623 928',
  'America/Chicago': '205 210 214 217 218 224 225 228 251 254 256 262 281 309 312 314 316 318 319 320 331 334 337 346 361 409 414 417 430 432 469 479 501 504 507 512 515 531 534 563 573 580 605 608 612 615 618 620 629 630 636 641 651 660 662 682 701 708 712 713 715 726 731 737 763 769 773 779 785 806 815 816 817 830 832 847 870 872 901 903 913 918 920 931 936 940 945 952 956 972 979',
  'America/Anchorage': '907',
  'Pacific/Honolulu': '808',
});
const CA_AREAS = zonesByCode({
  'America/Vancouver': '236 250 257 604 672 778',
  'America/Edmonton': '368 403 587 780 825',
  'America/Winnipeg': '204 431 584',
  'America/Regina': '306 474 639',
  'America/Halifax': '428 506 782 902',
  'America/St_Johns': '709',
  'America/Whitehorse': '867',
});
const MX_AREAS = zonesByCode({ 'America/Tijuana': '664 665 686', 'America/Hermosillo': '662 631 644', 'America/Mazatlan': '669 667 612 624', 'America/Cancun': '998 984 983' });
const BR_AREAS = zonesByCode({
  'America/Manaus': '92 97', 'America/Cuiaba': '65 66', 'America/Campo_Grande': '67', 'America/Porto_Velho': '69',
  'America/Rio_Branco': '68', 'America/Boa_Vista': '95', 'America/Belem': '91 93 94', 'America/Fortaleza': '85 88 83 84 86 89',
  'America/Recife': '81 87', 'America/Bahia': '71 73 74 75 77', 'America/Maceio': '82 79',
});
const AU_AREAS = zonesByCode({ 'Australia/Melbourne': '3', 'Australia/Brisbane': '7', 'Australia/Adelaide': '88', 'Australia/Perth': '89' });

/** The IANA zone of a number, e.g. +14155550100 (US) -> America/Los_Angeles. */
export function timeZoneOf(e164: string, country: string | null): string {
  if (!country) return 'UTC';
  const digits = e164.replace(/^\+/, '');
  switch (country) {
    case 'US':
      return US_AREAS.get(digits.slice(1, 4)) ?? COUNTRY_ZONES.US;
    case 'CA':
      return CA_AREAS.get(digits.slice(1, 4)) ?? COUNTRY_ZONES.CA;
    case 'MX': {
      const national = digits.slice(2).replace(/^1/, '');
      return MX_AREAS.get(national.slice(0, 3)) ?? COUNTRY_ZONES.MX;
    }
    case 'BR':
      return BR_AREAS.get(digits.slice(2, 4)) ?? COUNTRY_ZONES.BR;
    case 'AU':
      return AU_AREAS.get(digits.slice(2, 4)) ?? AU_AREAS.get(digits.slice(2, 3)) ?? COUNTRY_ZONES.AU;
    default:
      return COUNTRY_ZONES[country] ?? 'UTC';
  }
}
