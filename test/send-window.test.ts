import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { migrations } from '../migrations';
import { Campaign, CampaignStatus } from '../src/campaigns/campaign.entity';
import { CampaignWindows } from '../src/campaigns/campaign-windows';
import { CampaignRepository } from '../src/campaigns/campaign.repository';
import { nextOpening, parseWindow } from '../src/campaigns/send-window';
import { createDataSource } from '../src/core/database';
import { entities } from '../src/entities';

// Send windows on an injected clock: every instant below is UTC; New York is UTC-5 in winter
// (EST) and UTC-4 in summer (EDT), and in 2025 its clocks jump on 9 March and 2 November at 02:00.

const utc = (iso: string) => Date.parse(`${iso}Z`);
const NY = 'America/New_York';

describe('nextOpening', () => {
  it.each([
    // window, zone, now (UTC), next opening (UTC)
    ['open now', '09:00', '21:00', NY, '2025-03-03T15:00', '2025-03-03T15:00'],
    ['at the very start', '09:00', '21:00', NY, '2025-03-03T14:00', '2025-03-03T14:00'],
    ['a minute before the end', '09:00', '21:00', NY, '2025-03-04T01:59', '2025-03-04T01:59'],
    ['before the start: today at the start', '09:00', '21:00', NY, '2025-03-03T12:00', '2025-03-03T14:00'],
    ['at the end: tomorrow at the start', '09:00', '21:00', NY, '2025-03-04T02:00', '2025-03-04T14:00'],
    ['after the end, past UTC midnight', '09:00', '21:00', NY, '2025-03-04T03:30', '2025-03-04T14:00'],
    ['in local time, not UTC: 09:00 in Los Angeles', '09:00', '21:00', 'America/Los_Angeles', '2025-03-03T14:00', '2025-03-03T17:00'],
    ['in local time, east of UTC: 09:00 in Berlin', '09:00', '21:00', 'Europe/Berlin', '2025-03-03T06:00', '2025-03-03T08:00'],
    ['across the date line: 09:00 in Auckland', '09:00', '21:00', 'Pacific/Auckland', '2025-03-03T09:00', '2025-03-03T20:00'],
    ['overnight window, late evening: open', '22:00', '06:00', NY, '2025-03-04T04:00', '2025-03-04T04:00'],
    ['overnight window, early morning: open', '22:00', '06:00', NY, '2025-03-04T10:59', '2025-03-04T10:59'],
    ['overnight window, at its end: tonight at 22:00', '22:00', '06:00', NY, '2025-03-04T11:00', '2025-03-05T03:00'],
    ['the night clocks go forward: 09:00 EDT, not 09:00 EST', '09:00', '21:00', NY, '2025-03-09T04:00', '2025-03-09T13:00'],
    ['the night clocks go back: 09:00 EST, not 09:00 EDT', '09:00', '21:00', NY, '2025-11-02T02:00', '2025-11-02T14:00'],
    ['a start the clocks skip: when they jump to 03:00, inside the window', '02:30', '08:00', NY, '2025-03-09T05:00', '2025-03-09T07:00'],
    ['a window the clocks skip whole: the next day', '02:00', '03:00', NY, '2025-03-09T05:00', '2025-03-10T06:00'],
    ['a start the clocks repeat: its first time', '01:30', '05:00', NY, '2025-11-02T03:00', '2025-11-02T05:30'],
  ])('%s', (_name, start, end, zone, now, expected) => {
    expect(new Date(nextOpening(parseWindow(start, end), zone, utc(now))).toISOString()).toBe(new Date(utc(expected)).toISOString());
  });

  it('answers an instant inside the window, at or after now, for every quarter hour of a year', () => {
    const window = parseWindow('08:00', '21:00');
    const hour = new Intl.DateTimeFormat('en-GB', { timeZone: NY, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const wrong: string[] = [];
    for (let now = utc('2025-01-01T00:07'); now < utc('2026-01-01T00:00'); now += 15 * 60_000) {
      const opening = nextOpening(window, NY, now);
      const local = hour.format(opening);
      if (opening < now || opening - now > 24 * 3600_000 || local < '08:00' || local >= '21:00') wrong.push(`${new Date(now).toISOString()} -> ${new Date(opening).toISOString()} (${local})`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('CampaignWindows.judge', () => {
  let dir: string;
  let dataSource: DataSource;
  let ids: Record<'windowed' | 'open' | 'cancelled', number>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-windows-'));
    dataSource = createDataSource({ type: 'sqlite', path: join(dir, 'w.db') }, entities, migrations);
    await dataSource.initialize();
    await dataSource.runMigrations();
    await dataSource.query(`INSERT INTO accounts (name, home_country, status, inherits_geo_permissions, created_at) VALUES ('a', 'US', 'ACTIVE', 1, '2025-01-01 00:00:00.000')`);
    await dataSource.query(`INSERT INTO subscription_groups (account_id, name, international_fallback, created_at) VALUES (1, 'g', 0, '2025-01-01 00:00:00.000')`);
    const repo = dataSource.getRepository(Campaign);
    const make = (status: CampaignStatus, window: [string, string] | null) => repo.save(repo.create({
      accountId: 1, groupId: 1, name: 'c', body: 'b', status, scheduledAt: null, sendWindowStart: window?.[0] ?? null, sendWindowEnd: window?.[1] ?? null,
      launchedAt: null, completedAt: null, recipients: 0, replies: 0, optOuts: 0, createdAt: new Date(0),
    }));
    ids = {
      windowed: (await make(CampaignStatus.SENDING, ['09:00', '21:00'])).id,
      open: (await make(CampaignStatus.SENDING, null)).id,
      cancelled: (await make(CampaignStatus.CANCELLED, ['09:00', '21:00'])).id,
    };
  });

  afterAll(async () => {
    await dataSource?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("holds each message to its own campaign's window in its recipient's zone, and names the cancelled ones", async () => {
    const messages = [
      { campaignId: ids.windowed, to: '+12125550123', country: 'US' },
      { campaignId: ids.windowed, to: '+14155550123', country: 'US' },
      { campaignId: ids.open, to: '+12125550124', country: 'US' },
      { campaignId: null, to: '+12125550125', country: 'US' },
      { campaignId: ids.cancelled, to: '+12125550126', country: 'US' },
      { campaignId: ids.windowed, to: '+4915112345678', country: 'DE' },
    ];
    // 10:30 in New York, 07:30 in Los Angeles, 16:30 in Berlin.
    const verdicts = await new CampaignWindows(new CampaignRepository(dataSource)).judge(messages, utc('2025-03-03T15:30'));
    expect([...verdicts.closedWindows].map(([i, at]) => [i, new Date(at).toISOString()])).toEqual([[1, '2025-03-03T17:00:00.000Z']]);
    expect([...verdicts.cancelled]).toEqual([4]);
    // 22:00 in New York, 19:00 in Los Angeles (open), 04:00 in Berlin (UTC+1) until 09:00.
    const night = await new CampaignWindows(new CampaignRepository(dataSource)).judge(messages, utc('2025-03-04T03:00'));
    expect(new Map([...night.closedWindows].map(([i, at]) => [i, new Date(at).toISOString()]))).toEqual(new Map([
      [0, '2025-03-04T14:00:00.000Z'], [4, '2025-03-04T14:00:00.000Z'], [5, '2025-03-04T08:00:00.000Z'],
    ]));
  });
});
