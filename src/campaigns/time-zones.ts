import { getCountry } from 'countries-and-timezones';

// The recipient's time zone, derived from its number. A country's zones come from
// countries-and-timezones (every country, kept up to date with the IANA database); where a
// country spans several, the area code picks one in the countries where the number tells
// (US, CA, MX, BR, AU: our tables below, which no maintained package maps), and otherwise the
// country's most populous zone (the package lists zones alphabetically, so that choice is ours).

const MOST_POPULOUS: Record<string, string> = {
  US: 'America/New_York', CA: 'America/Toronto', MX: 'America/Mexico_City', BR: 'America/Sao_Paulo',
  AR: 'America/Argentina/Buenos_Aires', CL: 'America/Santiago', EC: 'America/Guayaquil', PT: 'Europe/Lisbon',
  ES: 'Europe/Madrid', DE: 'Europe/Berlin', CY: 'Asia/Nicosia', UA: 'Europe/Kyiv', RU: 'Europe/Moscow', PS: 'Asia/Hebron',
  KZ: 'Asia/Almaty', UZ: 'Asia/Tashkent', CN: 'Asia/Shanghai', MN: 'Asia/Ulaanbaatar', VN: 'Asia/Ho_Chi_Minh',
  MY: 'Asia/Singapore', ID: 'Asia/Jakarta', AU: 'Australia/Sydney', NZ: 'Pacific/Auckland',
};

/** The zone of a country as a whole: its most populous one where it has several. */
export function countryZone(country: string): string {
  return MOST_POPULOUS[country] ?? getCountry(country)?.timezones[0] ?? 'UTC';
}

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
  'America/Chicago': '205 210 214 217 218 224 225 228 251 254 256 262 281 309 312 314 316 318 319 320 331 334 337 346 361 409 414 417 430 432 469 479 501 504 507 512 515 531 534 563 573 580 605 608 612 615 618 620 629 630 636 641 651 660 662 682 701 708 712 713 715 726 731 737 763 769 773 779 785 806 815 816 817 830 832 847 870 872 901 903 913 918 920 931 936 940 945 952 956 972 979 405 457 483 539 572 601 659 769 924 938 985',
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
      return US_AREAS.get(digits.slice(1, 4)) ?? countryZone('US');
    case 'CA':
      return CA_AREAS.get(digits.slice(1, 4)) ?? countryZone('CA');
    case 'MX': {
      const national = digits.slice(2).replace(/^1/, '');
      return MX_AREAS.get(national.slice(0, 3)) ?? countryZone('MX');
    }
    case 'BR':
      return BR_AREAS.get(digits.slice(2, 4)) ?? countryZone('BR');
    case 'AU':
      return AU_AREAS.get(digits.slice(2, 4)) ?? AU_AREAS.get(digits.slice(2, 3)) ?? countryZone('AU');
    default:
      return countryZone(country);
  }
}
