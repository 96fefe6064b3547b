import { getCountry } from 'countries-and-timezones';
import { countryZone, timeZoneOf } from '../src/campaigns/time-zones';
import { knownRegions } from '../src/core/phone';

describe("a recipient's time zone", () => {
  it('knows a zone of its own for every region a number can have', () => {
    const missing = knownRegions().filter((region) => countryZone(region) === 'UTC' && !getCountry(region)?.timezones.includes('UTC'));
    // Regions with no zone in the IANA data at all (e.g. AC, TA) are the only ones left at UTC.
    for (const region of missing) expect({ region, zones: getCountry(region)?.timezones ?? [] }).toEqual({ region, zones: [] });
    for (const region of knownRegions()) expect(() => new Intl.DateTimeFormat('en', { timeZone: countryZone(region) })).not.toThrow();
  });

  it('chooses a zone the country really has, where it has several', () => {
    for (const region of knownRegions()) {
      const zones = getCountry(region)?.timezones ?? [];
      if (zones.length > 1) expect({ region, zone: (zones as string[]).includes(countryZone(region)) }).toEqual({ region, zone: true });
    }
  });

  it.each([
    ['+14155550100', 'US', 'America/Los_Angeles'],
    ['+12125550100', 'US', 'America/New_York'],
    ['+13125550100', 'US', 'America/Chicago'],
    ['+16045550100', 'CA', 'America/Vancouver'],
    ['+4915112345678', 'DE', 'Europe/Berlin'],
    ['+233201234567', 'GH', 'Africa/Abidjan'],
    ['+97317001234', 'BH', 'Asia/Qatar'],
    ['+61891234567', 'AU', 'Australia/Perth'],
    ['+5592912345678', 'BR', 'America/Manaus'],
  ])('puts %s (%s) in %s', (e164, country, zone) => {
    expect(timeZoneOf(e164, country)).toBe(zone);
  });
});
